"""A person's own data: a JSON copy of everything held about them, and deleting the
account so that no row anywhere holds their address, name or a link to their comments,
while thread numbering and replies stay. Both databases."""

import datetime
import json

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from forum.models import ANONYMOUS, Comment, CommentStatus
from moderation.actions import suspend
from moderation.identity import reveal
from moderation.models import Flag, LogEntry, Unsubscribe
from outbox.models import Mail
from watching.models import Watch

from .dump import database_text
from .factories import PostFactory, UserFactory, comment, moderator, verified_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
EMAIL, NAME, USERNAME = "jane.officer@example.org", "Jane Officer", "janeofficer77"


@pytest.fixture
def jane():
    return verified_user(email=EMAIL, username=USERNAME, display_name=NAME, notify_replies=True)


def life_of(jane):
    """A member who has done a bit of everything; returns the thread to check afterwards."""
    post, other = PostFactory(title="Caseloads"), UserFactory(display_name="Sam")
    first = comment(post, body="First, by someone else", author=other, display_name="Sam")
    signed = comment(post, body="Signed words", author=jane, display_name=NAME)
    reply = comment(post, signed, body="A reply to Jane", author=other, display_name="Sam")
    quiet = comment(post, first, body="Quiet words", author=jane)
    pending = comment(post, body="Still waiting", author=jane, status=CommentStatus.PENDING)
    rejected = comment(post, body="Too rude", author=jane, status=CommentStatus.PENDING)
    LogEntry.objects.create(comment=rejected, action="reject", reason="Rude", to_status="rejected")
    Comment.objects.filter(pk=rejected.pk).update(status=CommentStatus.REJECTED)
    Flag.objects.create(comment=first, user=jane, reason="off_topic")
    Flag.objects.create(comment=quiet, user=other, reason="abusive")
    reveal(quiet, moderator(), "A complaint named this comment.")
    Unsubscribe.objects.create(user=jane, kind=Unsubscribe.Kind.PUBLISHED)
    Watch.objects.create(user=jane, post=post)
    return post, [first, signed, reply, quiet, pending, rejected]


def test_the_export_holds_everything_including_a_pending_comments_text(client, jane):
    life_of(jane)
    client.force_login(jane)

    response = client.get(reverse("accounts:export"))

    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == EMAIL and data["account"]["display_name"] == NAME
    texts = {c["text"]: c["status"] for c in data["comments"]}
    assert texts == {
        "Signed words": "published",
        "Quiet words": "published",
        "Still waiting": "pending",
        "Too rude": "rejected",
    }
    assert [f["reason"] for f in data["flags_you_made"]] == ["off_topic"]
    actions = [d["action"] for d in data["moderation_decisions"]]
    assert "reject" in actions and "reveal" in actions
    assert data["preferences"]["mail_about_replies"] is True
    assert data["preferences"]["mail_turned_off"] == ["published"]
    assert [watch["post"] for watch in data["preferences"]["threads_watched"]] == ["Caseloads"]


def test_the_export_says_whether_a_suspension_still_holds_and_until_when(client, jane):
    ended = timezone.now() - datetime.timedelta(days=1)
    suspend(jane, moderator(), "Cooling off", until=ended)
    client.force_login(jane)

    account = json.loads(client.get(reverse("accounts:export")).content)["account"]

    assert account["is_suspended"] is False  # a timed suspension ends by itself
    assert account["suspended_until"] == ended.isoformat()


def test_the_export_costs_the_same_few_queries_however_much_there_is(
    client, jane, django_assert_max_num_queries
):
    post, _ = life_of(jane)
    for n in range(30):
        comment(post, body=f"More {n}", author=jane)
    client.force_login(jane)
    # the session, the user, then the account's addresses, moderation watch,
    # unsubscribes, watched threads, comments, flags and decisions: one query each
    with django_assert_max_num_queries(9):
        client.get(reverse("accounts:export"))


def test_the_export_is_only_ones_own(client, jane):
    life_of(jane)
    client.force_login(UserFactory())
    data = json.loads(client.get(reverse("accounts:export")).content)
    assert data["comments"] == [] and EMAIL not in json.dumps(data)


def paths(post) -> list[tuple[str, str, int | None]]:
    return list(
        Comment.objects.comments()
        .filter(post=post, number__isnull=False)
        .order_by("lft")
        .values_list("path", "status", "parent_id")
    )


@pytest.mark.parametrize("keep", ["anonymous", "remove"])
def test_deleting_the_account_leaves_no_trace_and_the_thread_keeps_its_numbers(client, jane, keep):
    post, (first, signed, reply, quiet, pending, rejected) = life_of(jane)
    client.post(reverse("account_login"), {"login": EMAIL, "password": PASSWORD})
    assert "_auth_user_id" in client.session
    client.post(reverse("account_reset_password"), {"email": EMAIL})  # a mail still queued
    assert Mail.objects.filter(to__iexact=EMAIL).exists()
    before = paths(post)
    handle = jane.handle

    refused = client.post(reverse("accounts:delete"), {"keep": keep, "password": "wrong"})
    assert refused.status_code == 200 and "not your password" in refused.content.decode()
    response = client.post(reverse("accounts:delete"), {"keep": keep, "password": PASSWORD})

    assert response.status_code == 302 and "_auth_user_id" not in client.session
    text = database_text().lower()
    assert "a reply to jane" in text, "the dump reads the database"
    for trace in (EMAIL, NAME, USERNAME, handle, "jane.officer"):
        assert trace.lower() not in text, trace
    assert "still waiting" not in text and "too rude" not in text
    assert not Comment.objects.filter(author__isnull=False, pk__in=[signed.pk, quiet.pk]).exists()

    after = paths(post)
    assert [(p, parent) for p, _, parent in after] == [(p, parent) for p, _, parent in before]
    page = client.get(post.get_absolute_url()).content.decode()
    assert "A reply to Jane" in page and "First, by someone else" in page
    if keep == "anonymous":
        assert "Signed words" in page and "Quiet words" in page
        assert Comment.objects.get(pk=signed.pk).display_name == ANONYMOUS
    else:
        assert "Signed words" not in page and "Quiet words" not in page
        assert page.count("This comment has been removed by the author.") == 2
    assert Flag.objects.filter(comment=quiet).exists(), "other readers' flags stay"
    assert not mail.outbox or all(EMAIL.lower() not in m.to[0].lower() for m in mail.outbox)
