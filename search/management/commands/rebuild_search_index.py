"""Rebuild the whole search index from the forum tables.

The triggers keep the index current row by row; after a huge import (or restoring a
dump made without triggers) one bulk rebuild is much faster: PostgreSQL builds the GIN
index once, SQLite's FTS5 runs its own 'rebuild'. It runs in one transaction; writers to
posts and comments wait until it commits, readers keep searching the old index.
"""

import time

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections

from search.indexing import rebuild


class Command(BaseCommand):
    help = "Re-create every search row (published posts and comments) in one transaction."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database: str, verbosity: int, **options) -> None:
        started = time.monotonic()
        rows = rebuild(database)
        connection = connections[database]
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Mark the fresh table all-visible: scans then skip per-row visibility checks
            # (autovacuum would get there, later). VACUUM cannot run in a transaction.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE) search_document")
        if verbosity:
            self.stdout.write(
                f"Indexed {rows} posts and comments in {time.monotonic() - started:.1f}s."
            )
