"""Mail moderators now about comments that began waiting since the last queue mail.

The task worker sends the digest by itself (at most every 10 minutes, when comments are
held); this is for the operator who wants it now, whatever the interval."""

from django.core.management.base import BaseCommand

from moderation.notifications import send_queue_digest


class Command(BaseCommand):
    help = "Mail moderators about comments that began waiting since the last queue mail."

    def handle(self, **options) -> None:
        sent = send_queue_digest.call()
        if options["verbosity"] > 1 or sent:
            self.stdout.write(
                f"Queue mail about {sent} comment(s) queued." if sent else "Nothing new to mail."
            )
