"""Mail after commit: moderators about the queue (batched), authors when published, replies
to those who opted in; one-click unsubscribe; never about imported content. Every mail
leaves through the task worker (tests.tasks)."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from forum.models import Comment, CommentStatus
from forum.threads import add_comment, publish
from moderation.actions import flag
from moderation.models import DigestedComment, Unsubscribe
from moderation.notifications import read_unsubscribe_token, send_queue_digest

from .factories import PostFactory, UserFactory, comment, moderator
from .tasks import delivered, run_tasks
from .together import run_together

pytestmark = pytest.mark.django_db

PENDING = CommentStatus.PENDING


def unsubscribe_path(message) -> str:
    return (
        message.extra_headers["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:8000")
    )


def later(minutes: int) -> time_machine.travel:
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=True)


def test_moderators_get_one_mail_for_a_burst_of_pending_comments(
    django_capture_on_commit_callbacks,
):
    mod = moderator(email="mod@example.org")
    post = PostFactory(title="Pick of the Week")
    with django_capture_on_commit_callbacks(execute=True):
        comment(post, body="First held comment", status=PENDING, author=UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        comment(post, body="Second held comment", status=PENDING, author=UserFactory())
    assert [m.to for m in delivered()] == [[mod.email]]
    message = mail.outbox[0]
    assert "2 comment(s) awaiting moderation" in message.subject
    assert "Pick of the Week: First held comment" in message.body
    assert "Pick of the Week: Second held comment" in message.body
    assert "/admin/forum/comment/" in message.body


def test_the_next_queue_mail_waits_ten_minutes_and_names_only_new_comments(
    django_capture_on_commit_callbacks,
):
    moderator()
    post = PostFactory()
    with django_capture_on_commit_callbacks(execute=True):
        comment(post, body="Early bird", status=PENDING)
    assert len(delivered()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        comment(post, body="Arrived in the quiet window", status=PENDING)
    assert len(delivered()) == 1, "still inside the 10-minute window"
    with later(minutes=11):
        outbox = delivered()
    assert len(outbox) == 2
    assert "1 comment(s)" in outbox[1].subject and "(2 in all)" in outbox[1].body
    assert "Arrived in the quiet window" in outbox[1].body and "Early bird" not in outbox[1].body


def test_the_digest_never_mentions_a_comment_twice(django_capture_on_commit_callbacks):
    moderator()
    with django_capture_on_commit_callbacks(execute=True):
        comment(PostFactory(), status=PENDING)
    assert len(delivered()) == 1
    call_command("mail_moderators")
    with later(minutes=30):
        call_command("mail_moderators")
        assert len(delivered()) == 1, "nothing new since the last mail"


def test_an_operator_can_send_the_digest_at_once(django_capture_on_commit_callbacks):
    moderator()
    post = PostFactory()
    with django_capture_on_commit_callbacks(execute=True):
        comment(post, status=PENDING)
    assert len(delivered()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        comment(post, body="Urgent", status=PENDING)
    call_command("mail_moderators")
    assert len(delivered()) == 2 and "Urgent" in mail.outbox[1].body
    with later(minutes=11):
        assert len(delivered()) == 2, "the scheduled digest finds nothing new"


def test_no_mail_is_queued_before_the_transaction_commits(django_capture_on_commit_callbacks):
    moderator()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        comment(PostFactory(), status=PENDING)
    assert delivered() == []

    for committed in callbacks:
        committed()
    assert len(delivered()) == 1


def test_the_author_is_told_when_a_moderator_publishes_their_comment(
    django_capture_on_commit_callbacks,
):
    author = UserFactory(email="writer@example.org")
    post = PostFactory(title="Omnishambles")
    held = comment(post, body="My thoughts", status=PENDING, author=author)
    with django_capture_on_commit_callbacks(execute=True):
        publish(held)
    (message,) = delivered()
    assert message.to == ["writer@example.org"]
    assert "Omnishambles" in message.subject
    assert Comment.objects.get(pk=held.pk).get_absolute_url() in message.body


def test_a_reply_is_mailed_only_to_authors_who_opted_in(django_capture_on_commit_callbacks):
    post = PostFactory()
    keen = UserFactory(email="keen@example.org", notify_replies=True)
    quiet = UserFactory(email="quiet@example.org", notify_replies=False)
    keen_comment = comment(post, author=keen)
    quiet_comment = comment(post, author=quiet)
    with django_capture_on_commit_callbacks(execute=True):
        comment(post, keen_comment, body="I agree", display_name="Anonymous")
        comment(post, quiet_comment, body="I disagree")
        comment(post, keen_comment, body="My own follow-up", author=keen)
    assert [m.to for m in delivered()] == [["keen@example.org"]]
    assert "Anonymous replied" in mail.outbox[0].body and "I agree" in mail.outbox[0].body


def test_a_held_reply_is_mailed_when_it_is_published(django_capture_on_commit_callbacks):
    post = PostFactory()
    keen = UserFactory(email="keen@example.org", notify_replies=True)
    parent = comment(post, author=keen)
    held = comment(post, parent, status=PENDING, body="Held reply")
    assert not [m for m in delivered() if m.to == ["keen@example.org"]]
    with django_capture_on_commit_callbacks(execute=True):
        publish(held)
    assert [m.to for m in delivered()] == [["keen@example.org"]]


def test_imported_comments_never_cause_mail(django_capture_on_commit_callbacks):
    moderator()
    keen = UserFactory(notify_replies=True)
    post = PostFactory()
    parent = comment(post, author=keen)

    def imported(status):
        made = add_comment(post, parent, body="From the blog", author=None, status=status)
        made.is_imported, made.source_file = True, "2015-02.txt"
        made.save(update_fields=["is_imported", "source_file"])
        return made

    with django_capture_on_commit_callbacks(execute=True):
        imported(CommentStatus.PUBLISHED)
        held = imported(PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        publish(held)
    assert delivered() == []


def test_every_mail_has_a_one_click_unsubscribe(django_capture_on_commit_callbacks):
    author = UserFactory(email="writer@example.org")
    held = comment(PostFactory(), status=PENDING, author=author)
    with django_capture_on_commit_callbacks(execute=True):
        publish(held)
    (message,) = delivered()
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe_path(message)
    assert path in message.body
    assert read_unsubscribe_token(path.split("/")[-2]) == (author.pk, "published")
    client = Client(enforce_csrf_checks=True)
    page = client.get(path)
    assert page.status_code == 200 and not Unsubscribe.objects.exists()
    assert client.post(path).status_code == 200
    assert Unsubscribe.objects.filter(user=author, kind="published").exists()
    mail.outbox.clear()
    other = comment(PostFactory(), status=PENDING, author=author)
    with django_capture_on_commit_callbacks(execute=True):
        publish(other)
    assert delivered() == []


def test_unsubscribing_from_replies_clears_the_opt_in(django_capture_on_commit_callbacks, client):
    keen = UserFactory(notify_replies=True)
    post = PostFactory()
    parent = comment(post, author=keen)
    with django_capture_on_commit_callbacks(execute=True):
        comment(post, parent)
    client.post(unsubscribe_path(delivered()[0]))
    keen.refresh_from_db()
    assert not keen.notify_replies


def test_a_forged_unsubscribe_token_is_refused(client):
    url = reverse("moderation:unsubscribe", args=["not-a-token"])
    assert client.post(url).status_code == 400


def test_auto_hidden_comments_alert_moderators(django_capture_on_commit_callbacks):
    moderator(email="mod@example.org")
    target = comment(PostFactory())
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            flag(target, UserFactory(), "abusive")
    assert [m.to for m in delivered()] == [["mod@example.org"]]


def test_the_scheduled_digest_run_twice_sends_each_comment_once(
    django_capture_on_commit_callbacks,
):
    moderator(email="mod@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        comment(PostFactory(), body="Held once, mailed once", status=PENDING)
    # The digest the held comment scheduled, and a second run of the same task (a lost
    # schedule given up on, or a worker retrying it), both due.
    send_queue_digest.enqueue()
    with later(minutes=11):
        outbox = delivered()
    mentions = [m for m in outbox if "Held once, mailed once" in m.body]
    assert len(mentions) == 1
    assert DigestedComment.objects.count() == 1


def test_a_digested_comment_that_stays_waiting_is_never_mailed_again(
    django_capture_on_commit_callbacks,
):
    moderator(email="mod@example.org")
    post = PostFactory()
    with django_capture_on_commit_callbacks(execute=True):
        held = comment(post, body="Still waiting", status=PENDING)
    assert len(delivered()) == 1
    for minutes in (11, 22, 33):
        with later(minutes=minutes), django_capture_on_commit_callbacks(execute=True):
            comment(post, body=f"New at {minutes}", status=PENDING)
            send_queue_digest.enqueue()
            run_tasks()
    bodies = [m.body for m in mail.outbox]
    assert sum(held.body in body for body in bodies) == 1


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_digests_running_at_once_mention_a_comment_once():
    """Two workers run the digest at the same moment: the queue digest row's lock lets one
    mail the comment, and the other then finds nothing new."""
    moderator(email="mod@example.org")
    comment(PostFactory(), body="Waiting alone", status=PENDING)
    mentioned: list[int] = []
    errors = run_together([lambda: mentioned.append(send_queue_digest.call())] * 2)
    assert errors == [] and sorted(mentioned) == [0, 1]
    assert DigestedComment.objects.count() == 1
