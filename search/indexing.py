"""Database triggers that keep `search_document` (and the engine's index) current.

The importer writes with raw executemany/COPY and moderation with `.update()`, so Django
signals would miss most changes; triggers on forum_post and forum_comment see them all,
in the writer's own transaction. Only published posts and public comments (published, of
a published post: `Comment.objects.public()` in SQL) have a row, whose id the trigger
computes: the date-ordered key of `search.scope` (only the day arithmetic differs per
engine). The same statements serve both engines; each engine then indexes the rows its
own way:

- PostgreSQL: a BEFORE trigger on search_document sets `vector` (title weight A, body
  weight B, 'english'), which a GIN index covers.
- SQLite: an external-content FTS5 table `search_fts` (porter stemming, bm25, snippet())
  follows search_document through three more triggers; its rowids are the keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

from .scope import COMMENT_BIT, DAY_SHIFT

FTS_TABLE = "search_fts"
GIN_INDEX = "search_doc_vector_gin"
# Posts whose search rows a bulk writer will rebuild at the end (see `deferred`); the row
# with post_id 0, seen only by the writer's own transaction, tells the triggers to wait.
DEFERRED_TABLE = "search_deferred"
DEFERRING = f"EXISTS (SELECT 1 FROM {DEFERRED_TABLE} WHERE post_id = 0)"
CREATE_DEFERRED = f"CREATE TABLE IF NOT EXISTS {DEFERRED_TABLE} (post_id bigint PRIMARY KEY)"
COLUMNS = "id, kind, post_id, comment_id, date, year, month, comment_count, title, body"
# Days since 1970 of a date expression, per engine (see search.scope for the key).
SQLITE_DAYS = "CAST(julianday({date}) - 2440587.5 AS INTEGER)"
POSTGRES_DAYS = "({date} - DATE '1970-01-01')::bigint"


def _key(days: str, date: str, kind: str, source_id: str) -> str:
    """SQL for `search.scope.document_key`."""
    bit = COMMENT_BIT if kind == "comment" else 0
    return f"(({days.format(date=date)} << {DAY_SHIFT}) | {bit} | {source_id})"


PUBLISHED_COMMENTS_OF = (
    "SELECT count(*) FROM forum_comment c "
    "WHERE c.post_id = {post}.id AND c.level > 0 AND c.status = 'published'"
)


def _post_row(days: str, post: str) -> str:
    """The search row (in COLUMNS order) of the post `post`, for triggers and rebuilds."""
    return (
        f"{_key(days, f'{post}.date', 'post', f'{post}.id')}, 'post', {post}.id, NULL, "
        f"{post}.date, {post}.year, {post}.month, ({PUBLISHED_COMMENTS_OF.format(post=post)}), "
        f"{post}.title, {post}.body"
    )


# The blog's calendar day (Europe/London, like Post.date) of a UTC timestamp, per engine.
# SQLite has no time zones: British Summer Time runs from 01:00 UTC on the last Sunday of
# March (the Sunday on or after the 25th) to 01:00 UTC on the last Sunday of October.
SQLITE_LONDON_DAY = (
    "(CASE WHEN {ts} >= date(strftime('%Y', {ts}) || '-03-25', 'weekday 0') || ' 01:00' "
    "AND {ts} < date(strftime('%Y', {ts}) || '-10-25', 'weekday 0') || ' 01:00' "
    "THEN date({ts}, '+1 hour') ELSE date({ts}) END)"
)
POSTGRES_LONDON_DAY = "(({ts}) AT TIME ZONE 'Europe/London')::date"


def _comment_date(days: str, post: str, comment: str) -> str:
    """A comment's search date: the day it was written here, or its post's date for an
    imported comment (the archive gives comments no time of their own)."""
    day = POSTGRES_LONDON_DAY if days == POSTGRES_DAYS else SQLITE_LONDON_DAY
    own = day.format(ts=f"{comment}.created_at")
    return f"(CASE WHEN {comment}.is_imported THEN {post}.date ELSE {own} END)"


def _comment_row(days: str, post: str, comment: str) -> str:
    """The search row (in COLUMNS order) of `comment`, dated by `_comment_date`."""
    date = _comment_date(days, post, comment)
    if days == POSTGRES_DAYS:
        year, month = f"extract(year FROM {date})", f"extract(month FROM {date})"
    else:
        year, month = (f"CAST(strftime('{part}', {date}) AS INTEGER)" for part in ("%Y", "%m"))
    return (
        f"{_key(days, date, 'comment', f'{comment}.id')}, 'comment', {post}.id, "
        f"{comment}.id, {date}, {year}, {month}, 0, '', {comment}.body"
    )


COUNT_COMMENT = (
    "UPDATE search_document SET comment_count = comment_count {sign} 1 "
    "WHERE kind = 'post' AND post_id = {row}.post_id "
    "AND {row}.level > 0 AND {row}.status = 'published'"
)


def _changed(columns: list[str], distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns)


def _triggers(distinct: str, days: str) -> list[tuple[str, str, str, str, list[str], list[str]]]:
    """(name, event, table, WHEN condition, statements, posts touched) for both engines."""
    insert_post = (
        f"INSERT INTO search_document ({COLUMNS}) SELECT {_post_row(days, 'NEW')} "
        "WHERE NEW.is_published"
    )
    insert_comments_of_post = (
        f"INSERT INTO search_document ({COLUMNS}) SELECT {_comment_row(days, 'NEW', 'c')} "
        "FROM forum_comment c WHERE c.post_id = NEW.id AND c.level > 0 "
        "AND c.status = 'published' AND NEW.is_published"
    )
    insert_comment = (
        f"INSERT INTO search_document ({COLUMNS}) SELECT {_comment_row(days, 'p', 'NEW')} "
        "FROM forum_post p WHERE p.id = NEW.post_id AND p.is_published "
        "AND NEW.level > 0 AND NEW.status = 'published'"
    )
    post_moved = _changed(["is_published", "date"], distinct)
    return [
        (
            "search_post_insert",
            "AFTER INSERT",
            "forum_post",
            "NEW.is_published",
            [insert_post],
            ["NEW.id"],
        ),
        (
            "search_post_update",
            "AFTER UPDATE OF title, body, is_published, date",
            "forum_post",
            _changed(["title", "body", "is_published", "date"], distinct),
            [
                "DELETE FROM search_document WHERE post_id = OLD.id "
                f"AND (kind = 'post' OR {post_moved})",
                insert_post,
                f"{insert_comments_of_post} AND ({post_moved})",
            ],
            ["NEW.id"],
        ),
        (
            "search_post_delete",
            "AFTER DELETE",
            "forum_post",
            "",
            ["DELETE FROM search_document WHERE post_id = OLD.id"],
            ["OLD.id"],
        ),
        (
            "search_comment_insert",
            "AFTER INSERT",
            "forum_comment",
            "NEW.level > 0 AND NEW.status = 'published'",
            [insert_comment, COUNT_COMMENT.format(sign="+", row="NEW")],
            ["NEW.post_id"],
        ),
        (
            "search_comment_update",
            "AFTER UPDATE OF status, body, post_id",
            "forum_comment",
            _changed(["status", "body", "post_id"], distinct),
            [
                "DELETE FROM search_document WHERE comment_id = OLD.id",
                COUNT_COMMENT.format(sign="-", row="OLD"),
                insert_comment,
                COUNT_COMMENT.format(sign="+", row="NEW"),
            ],
            ["OLD.post_id", "NEW.post_id"],
        ),
        (
            "search_comment_delete",
            "AFTER DELETE",
            "forum_comment",
            "",
            [
                "DELETE FROM search_document WHERE comment_id = OLD.id",
                COUNT_COMMENT.format(sign="-", row="OLD"),
            ],
            ["OLD.post_id"],
        ),
    ]


SQLITE_FTS_TRIGGERS = {
    "search_fts_insert": (
        "AFTER INSERT ON search_document",
        f"INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body);",
    ),
    "search_fts_delete": (
        "AFTER DELETE ON search_document",
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body) "
        "VALUES ('delete', OLD.id, OLD.title, OLD.body);",
    ),
    "search_fts_update": (
        "AFTER UPDATE OF title, body ON search_document",
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, body) "
        "VALUES ('delete', OLD.id, OLD.title, OLD.body); "
        f"INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (NEW.id, NEW.title, NEW.body);",
    ),
}


def _sqlite_fts_triggers() -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {name} {event} BEGIN {body} END"
        for name, (event, body) in SQLITE_FTS_TRIGGERS.items()
    ]


def sqlite_statements() -> list[str]:
    """FTS5 table, its sync triggers, and the forum triggers (safe to run again)."""
    statements = [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(title, body, "
        "content='search_document', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')",
        *_sqlite_fts_triggers(),
        CREATE_DEFERRED,
    ]
    for name, event, table, when, body, touched in _triggers("IS NOT", SQLITE_DAYS):
        condition = f"({when}) AND " if when else ""
        noted = "; ".join(
            f"INSERT OR IGNORE INTO {DEFERRED_TABLE} (post_id) VALUES ({post})" for post in touched
        )
        # Dropped and created again, so that a changed definition replaces the old one.
        statements += [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} {event} ON {table} "
            f"WHEN {condition}NOT {DEFERRING} BEGIN {'; '.join(body)}; END",
            f"DROP TRIGGER IF EXISTS {name}_deferred",
            f"CREATE TRIGGER {name}_deferred {event} ON {table} "
            f"WHEN {condition}{DEFERRING} BEGIN {noted}; END",
        ]
    return statements


POSTGRES_VECTOR = (
    "setweight(to_tsvector('english', coalesce({row}.title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce({row}.body, '')), 'B')"
)


def postgresql_statements() -> list[str]:
    """Vector trigger, GIN index and the forum triggers (all create-or-replace)."""
    statements = [
        "CREATE OR REPLACE FUNCTION search_document_vector() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN NEW.vector := "
        f"{POSTGRES_VECTOR.format(row='NEW')}; RETURN NEW; END $$",
        "CREATE OR REPLACE TRIGGER search_document_vector BEFORE INSERT OR UPDATE OF title, "
        "body ON search_document FOR EACH ROW EXECUTE FUNCTION search_document_vector()",
        f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON search_document USING gin (vector)",
        CREATE_DEFERRED,
    ]
    for name, event, table, when, body, touched in _triggers("IS DISTINCT FROM", POSTGRES_DAYS):
        condition = f" WHEN ({when})" if when else ""
        noted = "; ".join(
            f"INSERT INTO {DEFERRED_TABLE} (post_id) VALUES ({post}) ON CONFLICT DO NOTHING"
            for post in touched
        )
        statements += [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN IF {DEFERRING} THEN {noted}; RETURN NULL; END IF; "
            f"{'; '.join(body)}; RETURN NULL; END $$",
            f"CREATE OR REPLACE TRIGGER {name} {event} ON {table} FOR EACH ROW{condition} "
            f"EXECUTE FUNCTION {name}()",
        ]
    return statements


def _sqlite_trigger_names() -> list[str]:
    return [n for name, *_ in _triggers("", "") for n in (name, f"{name}_deferred")]


def install(connection: BaseDatabaseWrapper) -> None:
    """Create (or refresh) the index structures and triggers; safe to run any time."""
    statements = (
        postgresql_statements() if connection.vendor == "postgresql" else sqlite_statements()
    )
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, _event, table, *_ in _triggers("", ""):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
            cursor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")
            cursor.execute("DROP TRIGGER IF EXISTS search_document_vector ON search_document")
            cursor.execute("DROP FUNCTION IF EXISTS search_document_vector()")
            cursor.execute(f"DROP TABLE IF EXISTS {DEFERRED_TABLE}")
        else:
            for name in [*_sqlite_trigger_names(), *SQLITE_FTS_TRIGGERS]:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
            cursor.execute(f"DROP TABLE IF EXISTS {DEFERRED_TABLE}")


def install_triggers_after_migrate(using: str = "default", **kwargs: Any) -> None:
    """post_migrate hook: SQLite table rebuilds drop triggers, so put them back."""
    connection = connections[using]
    if "search_document" in connection.introspection.table_names():
        install(connection)


def _rebuild_sql(days: str, posts: str = "") -> str:
    """The search rows of every post (or of those `posts`, a subquery of ids) and their
    comments, from the forum tables, in key order (on PostgreSQL that keeps a year's
    rows together in the table)."""
    only = f"AND p.id IN ({posts}) " if posts else ""
    return (
        f"INSERT INTO search_document ({COLUMNS}) "
        f"SELECT {_post_row(days, 'p')} FROM forum_post p WHERE p.is_published {only}"
        "UNION ALL "
        f"SELECT {_comment_row(days, 'p', 'c')} "
        "FROM forum_comment c JOIN forum_post p ON p.id = c.post_id "
        f"WHERE p.is_published AND c.level > 0 AND c.status = 'published' {only}"
        "ORDER BY 1"
    )


@contextmanager
def deferred(using: str = "default") -> Iterator[None]:
    """Index in bulk what the block writes: inside it, the triggers only note which posts
    changed, and on leaving, those posts' search rows are rebuilt set-based.

    For the importer: row by row, the triggers cost it 7 to 8 times the plain inserts.
    The note lives in the block's own transaction, so other writers meanwhile are indexed
    as always, and an error inside rolls the note back with everything else.
    """
    connection = connections[using]
    days = POSTGRES_DAYS if connection.vendor == "postgresql" else SQLITE_DAYS
    stale = f"SELECT post_id FROM {DEFERRED_TABLE}"
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {DEFERRED_TABLE} (post_id) VALUES (0)")
        yield
        cursor.execute(f"DELETE FROM {DEFERRED_TABLE} WHERE post_id = 0")
        cursor.execute(f"DELETE FROM search_document WHERE post_id IN ({stale})")
        cursor.execute(_rebuild_sql(days, posts=stale))
        cursor.execute(f"DELETE FROM {DEFERRED_TABLE}")


def rebuild(using: str = "default") -> int:
    """Re-create every search row from the forum tables in one transaction; the row count.

    For after huge imports: bulk building the index (GIN build, FTS5 'rebuild') is far
    faster than row-by-row maintenance. Writers wait on the forum tables meanwhile.
    """
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE forum_post, forum_comment IN SHARE MODE")
            cursor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")
            cursor.execute("TRUNCATE search_document")
            cursor.execute(_rebuild_sql(POSTGRES_DAYS))
            install(connection)
            cursor.execute("ANALYZE search_document")
        else:
            for name in SQLITE_FTS_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute("DELETE FROM search_document")
            cursor.execute(_rebuild_sql(SQLITE_DAYS))
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
            # One b-tree instead of a stack of segments: every query (and each per-year
            # count) then opens one segment per term, not dozens.
            cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('optimize')")
            install(connection)
            cursor.execute("ANALYZE search_document")
        cursor.execute("SELECT count(*) FROM search_document")
        return cursor.fetchone()[0]
