"""Write a deterministic synthetic archive in the dump format (for benchmarks, load tests)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from archive_import.generate import generate_archive


class Command(BaseCommand):
    help = "Generate N post pages of about M comments each, recombining the sample archive."

    def add_arguments(self, parser):
        parser.add_argument("--posts", type=int, required=True)
        parser.add_argument("--comments-per-post", type=int, required=True)
        parser.add_argument("--out", required=True, metavar="DIR")
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, posts, comments_per_post, out, seed, verbosity=1, **options):
        total = generate_archive(Path(out), posts, comments_per_post, seed)
        if verbosity:
            self.stdout.write(f"{posts} posts, {total} comments written to {out}")
