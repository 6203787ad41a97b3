"""A time budget for one search's database work (`FORUM_SEARCH_BUDGET_MS`).

A search whose statements together would take longer is stopped by the database itself
and the reader gets a "search too broad" page (`SearchTooBroad`), instead of a worker
and a database connection being held for seconds while other readers wait behind them.

- PostgreSQL: `statement_timeout` is set to what is left of the budget before the
  search's first statement, and again before any later one that could otherwise end
  past it (by more than SLACK), for the transaction only (`set_config(..., true)` is
  `SET LOCAL`), in a transaction around the search: it ends with the search and never
  reaches another statement of a persistent (or pooled, even transaction-pooled)
  connection. A cancelled statement aborts the transaction, which is rolled back: the
  connection is ready for the next request.
- SQLite: a progress handler, called every PROGRESS_STEPS virtual machine
  instructions, interrupts the statement running once the budget is spent. It is
  removed afterwards, and an interrupted SELECT leaves the connection as it was.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg.errors
from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

# FTS5 does its work inside few, slow instructions: a whole search page of "probation"
# (78,000 matches) calls the handler about 500 times, "probation OR prison" by most
# commented about 4,500 times, at well under a microsecond a call: under 0.3% of the
# page. The longest stretch between two calls, Python between statements included, was
# 10 to 30 ms for the benchmark's searches and under 100 ms for its hostile ones (with
# the machine loaded), so a search overruns its budget by no more than that.
PROGRESS_STEPS = 1000
# statement_timeout for the rest of the transaction only (is_local: `SET LOCAL`).
TIMEOUT = "SELECT set_config('statement_timeout', %s, true)"
# How far past its budget a search on PostgreSQL may run. Setting the timeout again
# before every statement would bound it exactly, but each round trip costs: one more
# statement before each of a search's three or four added 9 to 10 ms to a page with the
# machine loaded (load 7 to 9 on 2 cores; paired runs), where a round trip waits for
# the server's process to be scheduled. The timeout is set again only when a statement
# could otherwise end more than this share of the budget late, which no quick search is.
SLACK = 0.1


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
    deadline = time.monotonic() + milliseconds / 1000
    slack = milliseconds / 1000 * SLACK
    allowed: float | None = None  # seconds the server now lets a statement run

    def within_budget(execute, sql, params, many, context):
        nonlocal allowed
        now = time.monotonic()
        if allowed is None or now + allowed > deadline + slack:
            # At least 1 ms (0 would mean none): a statement after the budget is spent is
            # cancelled by the server like any other, unless it ends within it.
            left = max(math.ceil((deadline - now) * 1000), 1)
            execute(TIMEOUT, [str(left)], False, context)
            allowed = left / 1000
        return execute(sql, params, many, context)

    # Inside a caller's transaction this is a savepoint: a timeout rolls the setting back
    # with it, but a search that ends well must put the caller's value back itself.
    nested = connection.in_atomic_block
    try:
        with transaction.atomic(using=connection.alias):
            if nested:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT current_setting('statement_timeout')")
                    (previous,) = cursor.fetchone()
            with connection.execute_wrapper(within_budget):
                yield
            if nested:
                with connection.cursor() as cursor:
                    cursor.execute(TIMEOUT, [previous])
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
