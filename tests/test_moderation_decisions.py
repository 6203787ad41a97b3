"""Moderators' decisions a person can trust: the author's word stands, held comments keep
the reasons they were held for, and a rejection or removal tells its author why."""

import pytest
from django.urls import reverse

from forum.models import Comment, CommentStatus, RemovedBy
from forum.permissions import AUTHOR_REMOVED, can_restore
from forum.threads import set_status
from moderation.actions import flag, moderate, restore_trust
from moderation.models import CannedReason, Hold, LogAction, LogEntry, Mode
from moderation.rules import decide

from .factories import PostFactory, UserFactory, comment, moderator, verified_user
from .tasks import delivered
from .test_moderation_rules import set_rules

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:forum_comment_changelist")
PENDING, PUBLISHED, REMOVED = (
    CommentStatus.PENDING,
    CommentStatus.PUBLISHED,
    CommentStatus.REMOVED,
)


def act(client, action, comments, **fields):
    data = {"action": action, "_selected_action": [c.pk for c in comments], "index": 0}
    return client.post(QUEUE + "?status=all", data | fields, follow=True)


def test_a_comment_its_author_removed_cannot_be_restored_by_a_moderator(client):
    mod = moderator()
    author = UserFactory()
    post = PostFactory()
    theirs = comment(post, body="I take it back", author=author)
    set_status(theirs, REMOVED, RemovedBy.AUTHOR)
    ours = comment(post, body="Taken down by a moderator", author=author)
    moderate(ours, LogAction.REMOVE, mod)

    assert not can_restore(mod, Comment.objects.get(pk=theirs.pk))
    assert can_restore(mod, Comment.objects.get(pk=ours.pk))
    assert moderate(theirs, LogAction.RESTORE, mod) is None

    client.force_login(mod)
    said = [str(m) for m in act(client, "restore", [theirs, ours]).context["messages"]]
    assert any(AUTHOR_REMOVED in m for m in said)
    assert "Restored 1 comment(s)." in said
    assert Comment.objects.get(pk=theirs.pk).status == REMOVED
    assert Comment.objects.get(pk=ours.pk).status == PUBLISHED
    assert not LogEntry.objects.filter(comment=theirs, action=LogAction.RESTORE).exists()


def test_the_blogs_own_removals_stay_removed_too():
    mod = moderator()
    old = comment(PostFactory(), body="Removed on Blogger")
    set_status(old, REMOVED, RemovedBy.BLOG)
    assert not can_restore(mod, old)
    assert moderate(old, LogAction.RESTORE, mod) is None


def submit(client, post, body):
    data = {"body": body, "anonymous": "on"}
    return client.post(reverse("forum:comment_create", args=[post.pk]), data)


def test_the_reasons_a_comment_was_held_survive_a_change_of_the_rules(client):
    set_rules(hold_words="caseload")
    post = PostFactory()
    client.force_login(verified_user())
    submit(client, post, "My caseload doubled this year.")
    held = Comment.objects.pending().get()
    assert held.hold.reasons[-1] == "hold words: caseload"

    set_rules(hold_words="", mode=Mode.NONE)  # neither rule would hold it today
    client.force_login(moderator())
    html = client.get(QUEUE).content.decode()
    assert "hold words: caseload" in html
    assert "new account (fewer than 3 approved comments)" in html


def test_a_comment_hidden_by_reader_flags_says_so(settings):
    settings.FORUM_FLAGS_TO_HIDE = 2
    target = comment(PostFactory(), body="Controversial")
    flag(target, UserFactory(), "abusive")
    flag(target, UserFactory(), "spam")
    assert Hold.objects.get(comment=target).reasons == ["2 readers flagged it"]


def test_trust_lost_through_a_spam_mark_is_restored_by_a_moderator_and_logged():
    set_rules(mode=Mode.FIRST_N, first_n=1)
    user, post = UserFactory(), PostFactory()
    comment(post, author=user)
    moderate(comment(post, author=user, status=PENDING), LogAction.SPAM, moderator())
    assert decide(user, post, "Hello").reasons == ("a comment of this account was marked as spam",)
    mod = moderator()
    restore_trust(user, mod, "A colleague's link, not spam")
    assert decide(user, post, "Hello").status == PUBLISHED
    entry = LogEntry.objects.get(action=LogAction.RESTORE_TRUST)
    assert (entry.subject, entry.moderator) == (user, mod)


def test_a_rejection_reason_reaches_the_author_on_their_profile_and_by_mail(
    client, django_capture_on_commit_callbacks
):
    author = UserFactory(email="alex@example.org")
    post = PostFactory(title="Approved Premises")
    held = comment(post, body="My officer at Leeds is useless", status=PENDING, author=author)
    canned = CannedReason.objects.get(text__startswith="Could identify a person")
    client.force_login(moderator())
    with django_capture_on_commit_callbacks(execute=True):
        act(client, "reject", [held], canned=canned.pk, reason="names an office")
    given = f"{canned.text}: names an office"
    assert LogEntry.objects.get(comment=held, action=LogAction.REJECT).reason == given

    (mail,) = [m for m in delivered() if m.to == ["alex@example.org"]]
    assert "was rejected" in mail.subject and given in mail.body

    client.force_login(author)
    assert given in client.get(reverse("accounts:profile")).content.decode()


def test_readers_see_the_placeholder_not_the_removal_reason(
    client, django_capture_on_commit_callbacks
):
    post = PostFactory()
    shown = comment(post, body="Something unkind", author=UserFactory())
    client.force_login(moderator())
    with django_capture_on_commit_callbacks(execute=True):
        act(client, "remove", [shown], reason="unkind about a colleague")
    client.logout()
    html = client.get(post.get_absolute_url()).content.decode()
    assert "This comment has been removed by a moderator." in html
    assert "unkind about a colleague" not in html
