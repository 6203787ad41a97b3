"""Django's mail API, queued: EMAIL_BACKEND for the whole site.

Every mail the site sends (allauth's account mail, notifications, the moderators'
digest, Django's own) goes through `send_mail()`/`EmailMessage.send()` as usual and lands
here: stored and enqueued, never sent in the request. The task worker delivers it
with OUTBOX_BACKEND (see outbox.delivery).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import DatabaseError

from .delivery import queue

logger = logging.getLogger(__name__)


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        try:
            queue(email_messages)
        except DatabaseError:
            # fail_silently callers (error reports to ADMINS) must not fail in their turn.
            if not self.fail_silently:
                raise
            logger.exception("Could not queue %s mail(s)", len(email_messages))
            return 0
        return len(email_messages)
