"""Sealed identity: moderators know the author of an anonymous comment by a handle and a
record; the name and address appear only after a reveal with a written reason, which the
log keeps and lists for the other moderators. Nothing else shows them. Both databases."""

import pytest
from django.urls import reverse

from forum.models import Comment
from moderation.actions import watch
from moderation.identity import History, history_counts
from moderation.models import Flag, LogAction, LogEntry
from moderation.notifications import send_queue_digest

from .factories import PostFactory, UserFactory, comment, moderator
from .tasks import delivered

pytestmark = pytest.mark.django_db

PENDING, REJECTED, SPAM = "pending", "rejected", "spam"
WHO = ("jane.officer", "jane.officer@example.org", "Jane Officer")


@pytest.fixture
def jane():
    username, email, name = WHO
    return UserFactory(username=username, email=email, display_name=name)


def reveal_url(c) -> str:
    return reverse("moderation:reveal", args=[c.pk])


def test_a_reveal_needs_a_reason_is_logged_and_then_shows_name_and_address(client, jane):
    post = PostFactory()
    quiet = comment(post, body="Said quietly", author=jane, status=PENDING)
    mod = moderator(username="mo")
    client.force_login(mod)

    asked = client.get(reveal_url(quiet)).content.decode()
    assert jane.handle in asked and "Said quietly" in asked
    assert WHO[1] not in asked and WHO[2] not in asked

    refused = client.post(reveal_url(quiet), {"reason": ""}).content.decode()
    assert "a reveal is never silent" in refused and WHO[1] not in refused
    assert not LogEntry.objects.filter(action=LogAction.REVEAL).exists()

    why = "Threatens a named colleague; the police asked who wrote it."
    response = client.post(reveal_url(quiet), {"reason": why})
    shown = response.content.decode()
    assert WHO[1] in shown and WHO[2] in shown
    assert "no-store" in response["Cache-Control"]
    entry = LogEntry.objects.get(action=LogAction.REVEAL)
    assert (entry.subject, entry.comment, entry.moderator, entry.reason) == (jane, quiet, mod, why)

    # Nothing stays unsealed: the same page asks again.
    again = client.get(reveal_url(quiet)).content.decode()
    assert WHO[1] not in again


def test_reveals_are_listed_for_the_other_moderators(client, jane):
    quiet = comment(PostFactory(), body="Said quietly", author=jane)
    client.force_login(moderator(username="mo"))
    client.post(reveal_url(quiet), {"reason": "Legal request about this comment."})

    client.force_login(moderator(username="colleague"))
    listed = client.get(reverse("moderation:reveals")).content.decode()
    assert "mo" in listed and jane.handle in listed
    assert "Legal request about this comment." in listed
    assert WHO[1] not in listed and WHO[2] not in listed
    log = client.get(reverse("admin:moderation_logentry_changelist"), {"action": "reveal"})
    assert jane.handle in log.content.decode()


@pytest.mark.parametrize("who", ["reader", "staff", "anonymous"])
def test_only_moderators_can_reveal_or_see_the_list(client, jane, who):
    quiet = comment(PostFactory(), author=jane)
    if who != "anonymous":
        client.force_login(UserFactory(is_staff=who == "staff"))
    for response in (
        client.get(reveal_url(quiet)),
        client.post(reveal_url(quiet), {"reason": "Just curious, honestly."}),
        client.get(reverse("moderation:reveals")),
    ):
        assert response.status_code in (302, 404)
        assert WHO[1] not in response.content.decode()
    assert not LogEntry.objects.exists()


def test_a_signed_comment_has_nothing_to_reveal(client, jane):
    signed = comment(PostFactory(), author=jane, display_name=WHO[2])
    client.force_login(moderator())
    assert client.get(reveal_url(signed)).status_code == 404


def test_nothing_else_shows_a_moderator_who_is_behind_a_handle(client, jane):
    post = PostFactory()
    quiet = comment(post, body="Said quietly", author=jane, status=PENDING)
    published = comment(post, body="Also quiet", author=jane)
    Flag.objects.create(comment=published, user=jane, reason="spam")  # jane flags too
    Flag.objects.create(comment=published, user=UserFactory(), reason="abusive")
    mod = moderator()
    watch(jane, mod)
    client.force_login(mod)
    pages = [
        post.get_absolute_url(),
        reverse("admin:forum_comment_changelist"),
        reverse("admin:forum_comment_changelist") + "?status=all",
        reverse("admin:forum_comment_change", args=[quiet.pk]),
        reverse("admin:forum_comment_change", args=[published.pk]),
        reverse("admin:moderation_logentry_changelist"),
        reverse("admin:moderation_flag_changelist"),
        reverse("admin:moderation_watcheduser_changelist"),
        reverse("admin:index"),
        reverse("moderation:reveals"),
    ]
    for url in pages:
        page = client.get(url).content.decode()
        for secret in WHO:
            assert secret not in page, (url, secret)
    assert jane.handle in client.get(pages[1]).content.decode()

    # The accounts themselves are the administrators' pages, not the moderators'.
    for url in (
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[jane.pk]),
    ):
        assert client.get(url).status_code in (302, 403)
    # A handle leads only to the account's anonymous comments, never to its signed ones.
    signed = comment(post, body="Signed by name", author=jane, display_name=WHO[2])
    queue = reverse("admin:forum_comment_changelist")
    by_handle = client.get(queue, {"author": jane.handle, "status": "all"})
    assert set(by_handle.context["cl"].result_list) == {quiet, published}
    searched = client.get(queue, {"q": jane.handle, "status": "all"})
    assert signed not in searched.context["cl"].result_list
    # Searching the queue by address or username finds nothing to confirm.
    for secret in WHO[:2]:
        found = client.get(
            reverse("admin:forum_comment_changelist"), {"q": secret, "status": "all"}
        )
        assert list(found.context["cl"].result_list) == []


def test_the_moderators_queue_mail_names_nobody(jane):
    comment(PostFactory(), body="Waiting quietly", author=jane, status=PENDING)
    moderator()
    send_queue_digest.call()
    mails = delivered()
    assert mails and all(secret not in m.body for m in mails for secret in WHO)


def test_histories_of_many_accounts_cost_one_query(django_assert_num_queries):
    post = PostFactory()
    busy, quiet = UserFactory(), UserFactory()
    for status in ("published", "published", REJECTED, SPAM, PENDING):
        comment(post, author=busy, status=status)
    flagged = Comment.objects.published().filter(author=busy).first()
    for _ in range(2):
        Flag.objects.create(comment=flagged, user=UserFactory(), reason="abusive")
    others = [UserFactory().pk for _ in range(20)]

    with django_assert_num_queries(1):
        histories = history_counts([busy.pk, quiet.pk, *others])

    assert histories[busy.pk] == History(approved=2, rejected=1, spam=1, flags=2)
    assert histories[quiet.pk] == History()
