"""A mail waiting to leave, or one that could not: the operator's view of outgoing mail.

A row is written in the sender's own transaction (so a comment and the mail about it
commit together) and deleted once the mail is handed to the mail server: nothing of a
delivered mail, its address or its text stays behind. What remains is what still waits
and what failed for good, with the reason.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import models
from django.utils import timezone


class Mail(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        FAILED = "failed", "Failed for good"

    to = models.EmailField(max_length=254)
    from_email = models.CharField(max_length=254)
    subject = models.CharField(max_length=998)
    body = models.TextField()
    html = models.TextField(blank=True, help_text="The HTML alternative, if any.")
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When the next attempt is due (QUEUED), or when the current one began (SENDING).
    due_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "due_at"], name="outbox_status_due")]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"

    @classmethod
    def from_message(cls, message: EmailMessage) -> list[Mail]:
        """One unsaved row per recipient of `message` (plain text and an optional HTML
        alternative: all the site sends)."""
        if message.cc or message.bcc or message.attachments:
            raise ValueError("the outbox carries no copies or attachments")
        html = next(
            (
                content
                for content, mime in getattr(message, "alternatives", ())
                if mime == "text/html"
            ),
            "",
        )
        body = message.body
        if message.content_subtype == "html":
            body, html = "", body
        return [
            cls(
                to=address,
                from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
                subject=message.subject,
                body=body,
                html=html,
                headers=dict(message.extra_headers),
            )
            for address in message.to
        ]

    def message(self) -> EmailMessage:
        """The mail as Django sends it, through the delivery backend (OUTBOX_BACKEND)."""
        connection = get_connection(settings.OUTBOX_BACKEND)
        message = EmailMultiAlternatives(
            self.subject,
            self.body,
            self.from_email,
            [self.to],
            headers=self.headers,
            connection=connection,
        )
        if self.html and self.body:
            message.attach_alternative(self.html, "text/html")
        elif self.html:
            message.body, message.content_subtype = self.html, "html"
        return message
