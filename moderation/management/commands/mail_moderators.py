"""Flush the moderators' queue mail: run from cron (e.g. every 5 minutes).

New comments trigger the mail themselves, but at most once per 10 minutes; a comment that
arrives inside that window would otherwise wait for the next one to be mentioned."""

from django.core.management.base import BaseCommand

from moderation.notifications import notify_moderators


class Command(BaseCommand):
    help = "Mail moderators about comments that arrived since the last queue mail."

    def handle(self, **options) -> None:
        sent = notify_moderators()
        if options["verbosity"] > 1 or sent:
            self.stdout.write("Queue mail sent." if sent else "Nothing new to mail.")
