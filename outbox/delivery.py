"""Queueing mail and delivering it: one task per mail, retried with backoff, never lost.

`queue()` stores each message in the outbox and enqueues its delivery in the caller's
transaction. The task worker (`manage.py db_worker`) hands the mail to OUTBOX_BACKEND
(SMTP in production, with EMAIL_TIMEOUT); a failure is retried after each delay of
OUTBOX_RETRY_DELAYS, and a mail that fails every time stays in the outbox as FAILED for
the operator (`manage.py outbox`, or the admin). Logs name mails by id, never by address.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .models import Mail

logger = logging.getLogger(__name__)
# A task this late (QUEUED), or a send this long (SENDING), means the worker running it
# is gone: far beyond EMAIL_TIMEOUT, and beyond any backlog the site should ever have.
STUCK_AFTER = timedelta(minutes=15)


def queue(messages: Iterable[EmailMessage]) -> int:
    """Store `messages` in the outbox and enqueue their delivery; how many mails (one per
    recipient). Runs in the caller's transaction: rolled back, nothing is sent."""
    with transaction.atomic():
        mails = Mail.objects.bulk_create(
            [mail for message in messages for mail in Mail.from_message(message)]
        )
        for mail in mails:
            deliver.enqueue(mail.pk)
    return len(mails)


@task()
def deliver(mail_id: int) -> str:
    """Send one mail; retried later if the mail server fails. What happened, for the
    task's result: sent, retrying, failed, or not waiting (sent or given up already)."""
    began = timezone.now()
    claimed = Mail.objects.filter(pk=mail_id, status=Mail.Status.QUEUED).update(
        status=Mail.Status.SENDING, due_at=began
    )
    if not claimed:
        return "not waiting"
    mail = Mail.objects.get(pk=mail_id)
    try:
        mail.message().send()
    except Exception as error:  # any failure of the mail server or the network
        return _failed(mail, error)
    mail.delete()
    return "sent"


def _failed(mail: Mail, error: Exception) -> str:
    """Schedule the next attempt, or give up after the last delay."""
    delays = settings.OUTBOX_RETRY_DELAYS
    mail.attempts += 1
    mail.last_error = f"{type(error).__name__}: {error}"[:500]
    if mail.attempts > len(delays):
        mail.status = Mail.Status.FAILED
        mail.save(update_fields=["attempts", "last_error", "status"])
        logger.error("Mail %s failed for good after %s attempts", mail.pk, mail.attempts)
        return "failed"
    mail.status = Mail.Status.QUEUED
    mail.due_at = timezone.now() + timedelta(seconds=delays[mail.attempts - 1])
    with transaction.atomic():
        mail.save(update_fields=["attempts", "last_error", "status", "due_at"])
        deliver.using(run_after=mail.due_at).enqueue(mail.pk)
    logger.warning(
        "Mail %s not sent (%s), attempt %s; next at %s",
        mail.pk,
        type(error).__name__,
        mail.attempts,
        mail.due_at.isoformat(timespec="seconds"),
    )
    return "retrying"


def retry(mails: Iterable[Mail]) -> int:
    """Send failed mails again, from their first attempt (the operator's decision)."""
    ids = [mail.pk for mail in mails if mail.status == Mail.Status.FAILED]
    with transaction.atomic():
        Mail.objects.filter(pk__in=ids).update(
            status=Mail.Status.QUEUED, attempts=0, due_at=timezone.now()
        )
        for pk in ids:
            deliver.enqueue(pk)
    return len(ids)


def sweep() -> tuple[int, int]:
    """Mend what a vanished worker left: a waiting mail long past due gets a new delivery
    task (the old one was lost; deliver() runs at most one of them), and a mail stuck
    while sending fails for good, since it may or may not have left. (requeued, failed)"""
    late = timezone.now() - STUCK_AFTER
    with transaction.atomic():
        lost = list(
            Mail.objects.filter(status=Mail.Status.QUEUED, due_at__lt=late).values_list(
                "pk", flat=True
            )
        )
        for pk in lost:
            deliver.enqueue(pk)
        stopped = Mail.objects.filter(status=Mail.Status.SENDING, due_at__lt=late).update(
            status=Mail.Status.FAILED,
            last_error="The worker stopped while sending: it may or may not have been sent.",
        )
    return len(lost), stopped
