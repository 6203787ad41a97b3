"""What outgoing mail waits or failed, and the operator's remedies: retry, discard, sweep."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db.models import Count

from outbox.delivery import retry, sweep
from outbox.models import Mail


class Command(BaseCommand):
    help = "List waiting and failed mail; --retry, --discard or --sweep."

    def add_arguments(self, parser):
        parser.add_argument(
            "--retry",
            nargs="*",
            type=int,
            metavar="ID",
            help="Send failed mails again (all if no ID).",
        )
        parser.add_argument(
            "--discard", nargs="+", type=int, metavar="ID", help="Delete these mails."
        )
        parser.add_argument(
            "--sweep",
            action="store_true",
            help="Requeue waiting mails whose task was lost; fail mails stuck while sending.",
        )

    def handle(self, *args, **options) -> None:
        if options["retry"] is not None:
            failed = Mail.objects.filter(status=Mail.Status.FAILED)
            if options["retry"]:
                failed = failed.filter(pk__in=options["retry"])
            self.stdout.write(f"{retry(failed)} mail(s) queued again.")
        if options["discard"]:
            deleted, _ = Mail.objects.filter(pk__in=options["discard"]).delete()
            self.stdout.write(f"{deleted} mail(s) discarded.")
        if options["sweep"]:
            requeued, stopped = sweep()
            self.stdout.write(f"{requeued} mail(s) requeued, {stopped} stuck mail(s) failed.")
        counts = dict(Mail.objects.order_by().values_list("status").annotate(n=Count("pk")))
        self.stdout.write(", ".join(f"{counts.get(s, 0)} {s.label.lower()}" for s in Mail.Status))
        for mail in Mail.objects.filter(status=Mail.Status.FAILED):
            self.stdout.write(
                f"#{mail.pk} {mail.created_at:%Y-%m-%d %H:%M} to {mail.to}: {mail.subject}\n"
                f"    {mail.attempts} attempts; {mail.last_error}"
            )
