"""Mail after commit: moderators about the queue (batched), authors when published, replies
to those who opted in; one-click unsubscribe; never about imported content."""

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from forum.models import Comment, CommentStatus
from forum.threads import add_comment, publish
from moderation.actions import flag
from moderation.models import Unsubscribe
from moderation.notifications import read_unsubscribe_token

from .factories import PostFactory, UserFactory, comment, moderator

pytestmark = pytest.mark.django_db

PENDING = CommentStatus.PENDING


@pytest.fixture(autouse=True)
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def unsubscribe_path(message) -> str:
    return (
        message.extra_headers["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:8000")
    )


def test_moderators_get_one_mail_for_a_burst_of_pending_comments(
    django_capture_on_commit_callbacks,
):
    mod = moderator(email="mod@example.org")
    post = PostFactory(title="Pick of the Week")
    with django_capture_on_commit_callbacks(execute=True):
        comment(post, body="First held comment", status=PENDING, author=UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        comment(post, body="Second held comment", status=PENDING, author=UserFactory())
    assert [m.to for m in mail.outbox] == [[mod.email]]
    message = mail.outbox[0]
    assert "awaiting moderation" in message.subject
    assert "Pick of the Week: First held comment" in message.body
    assert "/admin/forum/comment/" in message.body


def test_the_queue_mail_goes_out_again_after_ten_minutes(django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from moderation.notifications import DIGEST_LOCK

    moderator()
    post = PostFactory()
    with django_capture_on_commit_callbacks(execute=True):
        comment(post, status=PENDING)
    cache.delete(DIGEST_LOCK)  # what the 10-minute timeout does
    with django_capture_on_commit_callbacks(execute=True):
        comment(post, status=PENDING)
    assert len(mail.outbox) == 2
    assert "2 comment(s)" in mail.outbox[1].subject


def test_cron_mails_what_arrived_during_the_quiet_window_once(django_capture_on_commit_callbacks):
    from django.core.cache import cache
    from django.core.management import call_command

    from moderation.notifications import DIGEST_LOCK

    moderator()
    post = PostFactory()
    with django_capture_on_commit_callbacks(execute=True):
        comment(post, status=PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        comment(post, body="Arrived in the window", status=PENDING)
    call_command("mail_moderators")
    assert len(mail.outbox) == 1, "still inside the 10-minute window"
    cache.delete(DIGEST_LOCK)
    call_command("mail_moderators")
    assert len(mail.outbox) == 2 and "Arrived in the window" in mail.outbox[1].body
    cache.delete(DIGEST_LOCK)
    call_command("mail_moderators")
    assert len(mail.outbox) == 2, "nothing new since the last mail"


def test_no_mail_is_sent_before_the_transaction_commits(django_capture_on_commit_callbacks):
    moderator()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        comment(PostFactory(), status=PENDING)
    assert mail.outbox == []

    for committed in callbacks:
        committed()
    assert len(mail.outbox) == 1


def test_the_author_is_told_when_a_moderator_publishes_their_comment(
    django_capture_on_commit_callbacks,
):
    author = UserFactory(email="writer@example.org")
    post = PostFactory(title="Omnishambles")
    held = comment(post, body="My thoughts", status=PENDING, author=author)
    with django_capture_on_commit_callbacks(execute=True):
        publish(held)
    (message,) = mail.outbox
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
    assert [m.to for m in mail.outbox] == [["keen@example.org"]]
    assert "Anonymous replied" in mail.outbox[0].body and "I agree" in mail.outbox[0].body


def test_a_held_reply_is_mailed_when_it_is_published(django_capture_on_commit_callbacks):
    post = PostFactory()
    keen = UserFactory(email="keen@example.org", notify_replies=True)
    parent = comment(post, author=keen)
    held = comment(post, parent, status=PENDING, body="Held reply")
    assert not [m for m in mail.outbox if m.to == ["keen@example.org"]]
    with django_capture_on_commit_callbacks(execute=True):
        publish(held)
    assert [m.to for m in mail.outbox] == [["keen@example.org"]]


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
    assert mail.outbox == []


def test_every_mail_has_a_one_click_unsubscribe(django_capture_on_commit_callbacks):
    author = UserFactory(email="writer@example.org")
    held = comment(PostFactory(), status=PENDING, author=author)
    with django_capture_on_commit_callbacks(execute=True):
        publish(held)
    (message,) = mail.outbox
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
    assert mail.outbox == []


def test_unsubscribing_from_replies_clears_the_opt_in(django_capture_on_commit_callbacks, client):
    keen = UserFactory(notify_replies=True)
    post = PostFactory()
    parent = comment(post, author=keen)
    with django_capture_on_commit_callbacks(execute=True):
        comment(post, parent)
    client.post(unsubscribe_path(mail.outbox[0]))
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
    assert [m.to for m in mail.outbox] == [["mod@example.org"]]


@override_settings(
    EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    EMAIL_HOST="127.0.0.1",
    EMAIL_PORT=9,
    EMAIL_TIMEOUT=2,
)
def test_a_mail_server_failure_is_logged_and_the_comment_is_kept(
    django_capture_on_commit_callbacks, caplog
):
    author = UserFactory()
    held = comment(PostFactory(), status=PENDING, author=author)
    with django_capture_on_commit_callbacks(execute=True):
        publish(held)
    assert Comment.objects.get(pk=held.pk).is_public
    assert "Could not send published mail" in caplog.text
