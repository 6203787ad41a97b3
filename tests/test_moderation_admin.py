"""A moderator clears the queue in the admin: what they see, what each action does, who may."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from forum.models import Comment, CommentStatus, RemovedBy
from forum.permissions import CLOSED, SUSPENDED, comment_refusal
from moderation.actions import hold
from moderation.models import Flag, LogAction, LogEntry, WatchedUser
from moderation.rules import decide

from .factories import PostFactory, UserFactory, comment, moderator
from .trees import paths

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:forum_comment_changelist")
PUBLISHED, PENDING = CommentStatus.PUBLISHED, CommentStatus.PENDING


def act(client, action, comments, reason="", query=""):
    return client.post(
        QUEUE + query,
        {
            "action": action,
            "_selected_action": [c.pk for c in comments],
            "index": 0,
            "reason": reason,
        },
        follow=True,
    )


def reload(c: Comment) -> Comment:
    return Comment.objects.get(pk=c.pk)


@pytest.fixture
def mod_client(client):
    user = moderator()
    client.force_login(user)
    client.user = user
    return client


def test_the_queue_opens_on_pending_comments_oldest_first(mod_client):
    post = PostFactory(title="Probation Reunification")
    author = UserFactory(email="sam@example.org", display_name="Sam")
    comment(post, body="Already public")
    first = comment(post, body="First waiting", status=PENDING, author=author)
    second = comment(post, body="Second waiting", status=PENDING, author=author)
    page = mod_client.get(QUEUE)
    assert page.status_code == 200
    rows = list(page.context["cl"].result_list)
    assert rows == [first, second]
    html = page.content.decode()
    assert "Probation Reunification" in html and author.handle in html
    assert "sam@example.org" not in html, "the queue shows the handle, never the address"
    assert "First waiting" in html and "Already public" not in html


def test_each_row_shows_parent_links_and_author_history(mod_client):
    post = PostFactory()
    author = UserFactory(email="kim@example.org")
    parent = comment(post, body="The parent", display_name="Old Hand")
    comment(post, author=author)
    comment(post, author=author)
    rejected = comment(post, author=author, status=PENDING)
    act(mod_client, "reject", [rejected])
    comment(
        post,
        parent,
        body="see https://spam.example/x and http://other.example",
        author=author,
        status=PENDING,
    )
    html = mod_client.get(QUEUE).content.decode()
    assert "#1 Old Hand" in html
    assert "spam.example" in html and "other.example" in html
    assert "2 approved, 1 rejected" in html


def test_each_row_says_why_the_comment_waits(mod_client):
    from moderation.models import ModerationRules

    rules = ModerationRules.load()
    rules.hold_words = "cialis"
    rules.save()
    post, author = PostFactory(), UserFactory()
    held = comment(post, body="Cheap Cialis here", status=PENDING, author=author)
    hold(held, decide(author, post, held.body).reasons)  # as the posting view does
    flagged = comment(post, body="Rude words")
    for _ in range(2):
        Flag.objects.create(comment=flagged, user=UserFactory(), reason="abusive")
    html = mod_client.get(QUEUE).content.decode()
    assert "new account (fewer than 3 approved comments); hold words: cialis" in html
    assert "2 reader flag(s)" in html


def test_the_queue_costs_the_same_queries_for_5_or_50_rows(
    mod_client, django_assert_max_num_queries
):
    post = PostFactory()
    for i in range(5):
        comment(post, body=f"c{i}", status=PENDING, author=UserFactory())
    mod_client.get(QUEUE)  # warm the session cache so both measurements start alike
    with django_assert_max_num_queries(20) as small:
        mod_client.get(QUEUE)
    for i in range(45):
        comment(post, body=f"more {i}", status=PENDING, author=UserFactory())
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = mod_client.get(QUEUE)
    assert len(page.context["cl"].result_list) == 50


def test_filters_status_post_origin_author_and_flagged(mod_client):
    post, other = PostFactory(), PostFactory()
    author = UserFactory()
    mine = comment(post, status=PENDING, author=author)
    theirs = comment(other, status=PENDING, author=UserFactory())
    public = comment(post)
    imported = Comment.objects.filter(pk=public.pk)
    imported.update(is_imported=True, source_file="2015-02.txt")

    def rows(query):
        return set(mod_client.get(QUEUE + query).context["cl"].result_list)

    assert rows(f"?post={other.pk}") == {theirs}
    assert rows(f"?author={author.handle}") == {mine}
    assert rows("?status=published") == {public}
    assert rows("?status=all&origin=imported") == {public}
    assert rows("?status=all&origin=user") == {mine, theirs}
    Flag.objects.create(comment=public, user=UserFactory(), reason="spam")
    assert rows("?flagged=open") == {public}
    assert rows("") == {mine, theirs, public}, "flagged comments appear in the queue"
    year = mine.created_at.year
    assert mine in rows(f"?status=all&created_at__year={year}")


def test_admin_index_counts_what_the_queue_lists(mod_client):
    post = PostFactory()
    comment(post, status=PENDING)
    comment(post, status=PENDING)
    flagged = comment(post, body="flagged twice")
    for _ in range(2):
        Flag.objects.create(comment=flagged, user=UserFactory(), reason="abusive")
    Flag.objects.create(
        comment=comment(post, body="seen to"), user=UserFactory(), reason="spam", resolved=True
    )
    page = mod_client.get(reverse("admin:index"))
    assert "3 comments waiting for moderation" in page.content.decode()


def test_publishing_numbers_in_arrival_order_and_logs_who_did_it(mod_client):
    post = PostFactory()
    comment(post)
    late = comment(post, body="second", status=PENDING)
    early = comment(post, body="first", status=PENDING)
    Comment.objects.filter(pk=early.pk).update(created_at=late.created_at.replace(year=2020))
    act(mod_client, "publish", [late, early], reason="fine")
    assert (reload(early).path, reload(late).path) == ("2", "3")
    assert paths(post) == ["1", "2", "3"]
    entry = LogEntry.objects.get(comment=late)
    assert (entry.moderator, entry.action, entry.from_status, entry.to_status, entry.reason) == (
        mod_client.user,
        LogAction.PUBLISH,
        PENDING,
        PUBLISHED,
        "fine",
    )


@pytest.mark.parametrize(
    "action, status",
    [
        ("reject", CommentStatus.REJECTED),
        ("mark_spam", CommentStatus.SPAM),
        ("remove", CommentStatus.REMOVED),
    ],
)
def test_hiding_a_published_comment_keeps_its_number_and_replies(mod_client, action, status):
    post = PostFactory()
    first = comment(post)
    reply = comment(post, first, body="A reply")
    comment(post)
    act(mod_client, action, [first], query="?status=all")
    hidden = reload(first)
    assert (hidden.status, hidden.removed_by, hidden.path) == (status, RemovedBy.MODERATOR, "1")
    assert hidden.placeholder_text == "This comment has been removed by a moderator."
    assert reload(reply).is_public
    assert paths(post) == ["1", "1.1", "2"]
    assert Comment.objects.filter(post=post).count() == 4, "no node is ever deleted"
    assert LogEntry.objects.get(comment=first).to_status == status


def test_restore_publishes_a_removed_comment_under_its_old_number(mod_client):
    post = PostFactory()
    first = comment(post)
    comment(post)
    act(mod_client, "remove", [first], query="?status=all")
    act(mod_client, "restore", [first], query="?status=all")
    assert (reload(first).status, reload(first).path) == (PUBLISHED, "1")
    assert paths(post) == ["1", "2"]
    assert [e.action for e in LogEntry.objects.filter(comment=first).order_by("id")] == [
        LogAction.REMOVE,
        LogAction.RESTORE,
    ]


def test_rejecting_a_pending_comment_never_gives_it_a_number(mod_client):
    post = PostFactory()
    held = comment(post, status=PENDING)
    act(mod_client, "reject", [held])
    assert reload(held).number is None
    later = comment(post, status=PENDING)
    act(mod_client, "publish", [later])
    assert reload(later).path == "1", "rejected comments leave no holes in the numbering"


def test_an_action_that_does_not_apply_is_skipped_and_not_logged(mod_client):
    published = comment(PostFactory())
    page = act(mod_client, "restore", [published], query="?status=all")
    assert "already in that state" in page.content.decode()
    assert not LogEntry.objects.exists()


def test_the_log_is_shown_on_the_comments_admin_page(mod_client):
    held = comment(PostFactory(), status=PENDING)
    act(mod_client, "reject", [held], reason="personal attack")
    page = mod_client.get(reverse("admin:forum_comment_change", args=[held.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Moderation log" in html and "personal attack" in html


def test_comments_cannot_be_deleted_added_or_edited_in_the_admin(admin_client):
    held = comment(PostFactory(), status=PENDING)
    page = admin_client.get(QUEUE)
    assert "delete_selected" not in page.content.decode()
    assert (
        admin_client.get(reverse("admin:forum_comment_delete", args=[held.pk])).status_code == 403
    )
    assert admin_client.get(reverse("admin:forum_comment_add")).status_code == 403
    admin_client.post(
        reverse("admin:forum_comment_change", args=[held.pk]), {"status": PUBLISHED, "body": "x"}
    )
    assert reload(held).status == PENDING


def test_a_staff_user_who_is_not_a_moderator_cannot_moderate(client):
    held = comment(PostFactory(), status=PENDING)
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(QUEUE).status_code == 403
    act(client, "publish", [held])
    assert reload(held).status == PENDING


def test_seeing_comments_is_not_enough_to_act_on_them(client):
    from django.contrib.auth.models import Permission

    held = comment(PostFactory(), status=PENDING)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(staff)
    page = client.get(QUEUE)
    assert page.status_code == 200 and 'value="publish"' not in page.content.decode()
    act(client, "publish", [held])
    assert reload(held).status == PENDING


def test_a_normal_user_cannot_reach_the_admin(client):
    client.force_login(UserFactory())
    page = client.get(QUEUE)
    assert page.status_code == 302 and "/admin/login/" in page["Location"]


def test_suspending_an_author_from_the_queue_stops_them_posting(mod_client):
    author = UserFactory()
    post = PostFactory()
    held = comment(post, status=PENDING, author=author)
    act(mod_client, "suspend_authors", [held])
    author.refresh_from_db()
    assert author.is_suspended
    assert comment_refusal(author, post) == SUSPENDED


def test_moderating_all_of_an_authors_comments_holds_even_a_trusted_author(mod_client):
    author = UserFactory()
    post = PostFactory()
    for _ in range(3):
        comment(post, author=author)
    assert decide(author, post, "hi").status == PUBLISHED
    held = comment(post, status=PENDING, author=author)
    act(mod_client, "moderate_authors", [held])
    assert WatchedUser.objects.filter(user=author).exists()
    assert decide(author, post, "hi").status == PENDING


def test_moderators_close_comments_on_a_post(mod_client):
    post = PostFactory()
    mod_client.post(
        reverse("admin:forum_post_changelist"),
        {"action": "close_comments", "_selected_action": [post.pk], "index": 0},
    )
    post.refresh_from_db()
    assert not post.comments_open
    assert comment_refusal(UserFactory(), post) == CLOSED


def test_moderators_edit_the_rules_in_the_admin(mod_client):
    url = reverse("admin:moderation_moderationrules_change", args=[1])
    from moderation.models import ModerationRules

    ModerationRules.load()
    page = mod_client.post(
        url,
        {
            "mode": "all",
            "first_n": 3,
            "old_post_days": "",
            "max_links": 2,
            "hold_words": "cialis",
            "block_words": "",
        },
    )
    assert page.status_code == 302
    assert ModerationRules.load().mode == "all"


def test_the_moderators_group_has_exactly_the_moderation_permissions():
    group = Group.objects.get(name="Moderators")
    perms = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    assert perms == {
        "forum.view_comment",
        "forum.view_post",
        "accounts.view_user",
        "moderation.moderate_comment",
        "moderation.suspend_user",
        "moderation.view_logentry",
        "moderation.view_flag",
        "moderation.view_moderationrules",
        "moderation.change_moderationrules",
        "moderation.view_watcheduser",
        "moderation.view_cannedreason",
        "moderation.add_cannedreason",
        "moderation.change_cannedreason",
        "moderation.delete_cannedreason",
    }


def test_createmoderator_makes_a_staff_member_of_the_group(capsys):
    call_command("createmoderator", "new.mod@example.org")
    user = UserFactory._meta.model.objects.get(email="new.mod@example.org")
    assert user.is_staff and not user.has_usable_password()
    assert user.groups.filter(name="Moderators").exists()
    assert user.has_perm("moderation.moderate_comment")
    existing = UserFactory(email="old@example.org")
    call_command("createmoderator", "old@example.org")
    existing.refresh_from_db()
    assert existing.is_staff and existing.groups.filter(name="Moderators").exists()
    assert "now a moderator" in capsys.readouterr().out


def test_a_moderator_acts_from_the_comments_own_page(mod_client):
    held = comment(PostFactory(), status=PENDING, author=UserFactory())
    page = mod_client.get(reverse("admin:forum_comment_change", args=[held.pk]))
    assert 'value="mark_spam"' in page.content.decode()
    act(mod_client, "mark_spam", [held], reason="casino", query="?status=all")
    assert reload(held).status == CommentStatus.SPAM
    assert LogEntry.objects.get(comment=held).reason == "casino"


def test_flagged_comments_can_be_put_first(mod_client):
    post = PostFactory()
    waiting = comment(post, body="Waiting", status=PENDING, author=UserFactory())
    flagged = comment(post, body="Flagged")
    Flag.objects.create(comment=flagged, user=UserFactory(), reason="abusive")
    assert list(mod_client.get(QUEUE).context["cl"].result_list) == [waiting, flagged]
    page = mod_client.get(QUEUE + "?first=flagged")
    assert list(page.context["cl"].result_list) == [flagged, waiting]


def test_suspending_watching_and_unwatching_from_the_admin_are_logged_with_the_reason(
    mod_client,
):
    author = UserFactory()
    held = comment(PostFactory(), status=PENDING, author=author)
    act(mod_client, "suspend_authors", [held], reason="Abusive to staff")
    act(mod_client, "moderate_authors", [held], reason="Borderline")
    watched = WatchedUser.objects.get(user=author)
    mod_client.post(
        reverse("admin:moderation_watcheduser_changelist"),
        {"action": "stop_watching", "_selected_action": [watched.pk], "index": 0},
    )
    entries = LogEntry.objects.filter(subject=author).order_by("id")
    assert [(e.action, e.reason, e.moderator) for e in entries] == [
        (LogAction.SUSPEND, "indefinitely: Abusive to staff", mod_client.user),
        (LogAction.WATCH, "Borderline", mod_client.user),
        (LogAction.UNWATCH, "", mod_client.user),
    ]
