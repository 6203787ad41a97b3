"""Mail leaves through the task queue: a mail server that hangs, refuses or is slow never
costs a reader a slow page or a 500, and a mail it never takes is kept for the operator.

The mail servers here are real sockets on this machine: one that accepts and never
answers, a closed port, and aiosmtpd's SMTP server for mail that does arrive."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from forum.models import Comment, CommentStatus
from outbox.delivery import STUCK_AFTER, deliver, sweep
from outbox.models import Mail

from .factories import PostFactory, UserFactory, comment, moderator
from .faults import SilentServer, closed_port
from .tasks import run_tasks

pytestmark = pytest.mark.django_db

SMTP = "django.core.mail.backends.smtp.EmailBackend"


class Recorder:
    """aiosmtpd handler keeping every message that arrives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[Recorder]:
    recorder = Recorder()
    recorder.port = closed_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=recorder.port)
    controller.start()
    try:
        yield recorder
    finally:
        controller.stop()


@pytest.fixture
def silent(settings):
    with SilentServer() as server:
        use_smtp(settings, server.port)
        yield server


@pytest.fixture
def refused(settings):
    port = closed_port()
    use_smtp(settings, port)  # nothing listens there any more
    return port


def use_smtp(settings, port: int) -> None:
    settings.OUTBOX_BACKEND = SMTP
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 1
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


def retry_until_given_up(settings) -> None:
    """Let each retry delay pass in turn, running the worker after each."""
    at = timezone.now()
    for delay in settings.OUTBOX_RETRY_DELAYS:
        at += timedelta(seconds=delay + 5)
        with time_machine.travel(at, tick=True):
            run_tasks()


def reply_to_a_keen_reader(client, django_capture_on_commit_callbacks):
    """A moderator (published at once) replies to a reader who wants reply mail."""
    post = PostFactory()
    keen = UserFactory(email="keen@example.org", notify_replies=True)
    parent = comment(post, author=keen)
    client.force_login(moderator())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("forum:comment_create", args=[post.pk]),
            {"body": "Seconded.", "anonymous": "on", "parent": parent.pk},
        )
    return response


def test_a_hanging_mail_server_costs_the_commenter_nothing_and_the_mail_waits(
    client, silent, settings, django_capture_on_commit_callbacks
):
    response = reply_to_a_keen_reader(client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert Comment.objects.comments().filter(body="Seconded.").exists()
    assert silent.accepted == 0, "the request never spoke to the mail server"
    (mail,) = Mail.objects.all()
    assert (mail.to, mail.status) == ("keen@example.org", Mail.Status.QUEUED)

    run_tasks()
    mail.refresh_from_db()
    assert silent.accepted == 1
    assert (mail.status, mail.attempts) == (Mail.Status.QUEUED, 1)
    assert "timed out" in mail.last_error.lower()
    assert mail.due_at > timezone.now()


def test_a_mail_the_server_never_takes_is_kept_for_the_operator(
    client, silent, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_RETRY_DELAYS = [60, 300]
    reply_to_a_keen_reader(client, django_capture_on_commit_callbacks)
    run_tasks()
    retry_until_given_up(settings)

    (mail,) = Mail.objects.all()
    assert (mail.status, mail.attempts) == (Mail.Status.FAILED, 3)
    assert silent.accepted == 3
    out = StringIO()
    call_command("outbox", stdout=out)
    assert "1 failed for good" in out.getvalue()
    assert f"#{mail.pk}" in out.getvalue() and "keen@example.org" in out.getvalue()

    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = client.get(reverse("admin:outbox_mail_changelist")).content.decode()
    assert "Failed for good" in listing and "Seconded" not in listing


def test_signing_up_with_the_mail_server_down_creates_the_account_and_queues_the_mail(
    client, refused
):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "a long passphrase",
            "password2": "a long passphrase",
        },
    )
    assert response.status_code == 302
    (mail,) = Mail.objects.all()
    assert mail.to == "new@example.org"
    run_tasks()
    mail.refresh_from_db()
    assert mail.attempts == 1 and "ConnectionRefusedError" in mail.last_error


def test_the_worker_delivers_each_mail_once_and_keeps_nothing_of_it(
    client, settings, django_capture_on_commit_callbacks
):
    with smtp_server() as server:
        use_smtp(settings, server.port)
        reply_to_a_keen_reader(client, django_capture_on_commit_callbacks)
        run_tasks()
        run_tasks()
    ((recipients, content),) = server.messages
    assert recipients == ["keen@example.org"] and b"Seconded." in content
    assert not Mail.objects.exists()


def test_the_operator_sends_failed_mail_again_once_the_server_is_back(
    client, refused, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_RETRY_DELAYS = []
    reply_to_a_keen_reader(client, django_capture_on_commit_callbacks)
    run_tasks()
    assert Mail.objects.get().status == Mail.Status.FAILED
    with smtp_server() as server:
        use_smtp(settings, server.port)
        call_command("outbox", "--retry", stdout=StringIO())
        run_tasks()
    assert len(server.messages) == 1 and not Mail.objects.exists()


def test_a_bulk_publish_never_waits_for_a_slow_mail_server(client, silent, settings):
    mod = moderator()
    post = PostFactory()
    authors = [UserFactory() for _ in range(20)]
    held = [comment(post, status=CommentStatus.PENDING, author=a) for a in authors]
    client.force_login(mod)
    response = client.post(
        reverse("admin:forum_comment_changelist"),
        {"action": "publish", "_selected_action": [c.pk for c in held], "index": 0},
    )
    assert response.status_code == 302
    assert Comment.objects.published().filter(pk__in=[c.pk for c in held]).count() == 20
    assert silent.accepted == 0


def test_the_sweep_mends_what_a_vanished_worker_left(settings):
    waiting, sending = (
        Mail.objects.create(to="a@example.org", from_email="f@example.org", subject="s", body="b")
        for _ in range(2)
    )
    long_ago = timezone.now() - STUCK_AFTER - timedelta(minutes=1)
    Mail.objects.filter(pk=waiting.pk).update(due_at=long_ago)
    Mail.objects.filter(pk=sending.pk).update(status=Mail.Status.SENDING, due_at=long_ago)

    assert sweep() == (1, 1)
    sending.refresh_from_db()
    assert sending.status == Mail.Status.FAILED and "may or may not" in sending.last_error
    run_tasks()
    assert not Mail.objects.filter(pk=waiting.pk).exists(), "requeued and delivered"
    assert deliver.call(waiting.pk) == "not waiting"
