"""A time budget for one search's database work (`FORUM_SEARCH_BUDGET_MS`).

A search that would take longer is stopped by the database itself and the reader gets
a "search too broad" page (`SearchTooBroad`), instead of a worker and a database
connection being held for seconds while other readers wait behind them.

- PostgreSQL: `statement_timeout`, set for one transaction only (`set_config(..., true)`
  is `SET LOCAL`) in a transaction around the search: it ends with the search and never
  reaches another statement of a persistent (or pooled, even transaction-pooled)
  connection. Each
  statement of the search gets the budget; a search page runs at most four, and only
  the count and the ranking can be long. A cancelled statement aborts the transaction,
  which is rolled back: the connection is ready for the next statement.
- SQLite: a progress handler, called every PROGRESS_STEPS virtual machine
  instructions, interrupts the statement running when the search's statements have
  together used the budget. It is removed afterwards, and an interrupted SELECT
  leaves the connection as it was.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg.errors
from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

# FTS5 work runs between virtual machine instructions, so a search's instructions are
# slow ones: the hostile benchmark searches ran 1,000 of them in 0.1 to 0.4 ms. The
# handler's check (one Python call) then costs well under 1% of a search, and a search
# stops within about a millisecond of its budget.
PROGRESS_STEPS = 1000


class SearchTooBroad(Exception):
    """The search ran out of its time budget; the database connection is usable."""


@contextmanager
def time_budget(alias: str = "default", milliseconds: int | None = None) -> Iterator[None]:
    """Run a search's statements on `alias` within `milliseconds` (the setting by
    default; 0 means no budget). Raises SearchTooBroad when they would take longer."""
    if milliseconds is None:
        milliseconds = settings.FORUM_SEARCH_BUDGET_MS
    connection = connections[alias]
    if milliseconds <= 0:
        yield
    elif connection.vendor == "postgresql":
        with _statement_timeout(connection, milliseconds):
            yield
    elif connection.vendor == "sqlite":
        with _progress_budget(connection, milliseconds):
            yield
    else:
        yield


@contextmanager
def _statement_timeout(connection: BaseDatabaseWrapper, milliseconds: int) -> Iterator[None]:
    # Inside a caller's transaction this is a savepoint: a timeout rolls the setting back
    # with it, but a search that ends well must put the caller's value back itself.
    nested = connection.in_atomic_block
    try:
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                if nested:
                    cursor.execute("SELECT current_setting('statement_timeout')")
                    (previous,) = cursor.fetchone()
                cursor.execute(
                    "SELECT set_config('statement_timeout', %s, true)", [str(milliseconds)]
                )
            yield
            if nested:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
    except OperationalError as error:
        if isinstance(error.__cause__, psycopg.errors.QueryCanceled):
            raise SearchTooBroad from error
        raise


@contextmanager
def _progress_budget(connection: BaseDatabaseWrapper, milliseconds: int) -> Iterator[None]:
    connection.ensure_connection()
    raw = connection.connection
    deadline = time.monotonic() + milliseconds / 1000
    raw.set_progress_handler(lambda: time.monotonic() > deadline, PROGRESS_STEPS)
    try:
        yield
    except OperationalError as error:
        cause = error.__cause__
        if getattr(cause, "sqlite_errorcode", None) == sqlite3.SQLITE_INTERRUPT:
            raise SearchTooBroad from error
        raise
    finally:
        raw.set_progress_handler(None, 0)
