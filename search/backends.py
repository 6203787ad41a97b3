"""One search API, two engines: PostgreSQL full text and SQLite FTS5.

Callers hand over a SearchDocument queryset already narrowed by the form's filters
(dates, year, month, kind, has comments) and a parsed `Query`; a backend adds the
full-text match, ranks, sorts and cuts highlighted snippets for one page only.

On SQLite relevance is bounded: bm25 reads each match's position lists and column
sizes, so a very common word (a quarter of the archive matches "probation") cost a few
hundred milliseconds to rank in full. It ranks only the RANKED_CANDIDATES most recently
indexed matches (highest document ids: newest posts and comments, as `rebuild` numbers
documents in date order) and lists any further matches after them, most recently
indexed first. Queries with fewer matches, nearly all of them, are ranked exactly; the
total and the facets always count every match. PostgreSQL ranks every match: its cost is
reading the matching heap rows, which a bounded candidate list (by id or date) reads
as well unless the planner walks an index backwards, and with a phrase or a year filter
it misjudges when that pays (measured: 0.4 s instead of 0.17 s).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .indexing import FTS_TABLE
from .models import Kind, SearchDocument
from .query import Query

# Private-use characters mark matches inside snippets; escaping happens after, in Python.
MARK_START, MARK_END = "\ue000", "\ue001"
_MARKS = re.compile(f"([{MARK_START}{MARK_END}])")
SNIPPET_WORDS = 30
# 50 pages of 20: ranking this many costs a few milliseconds on either engine.
RANKED_CANDIDATES = 1000


class Sort:
    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"
    MOST_COMMENTED = "comments"
    CHOICES = [
        (RELEVANCE, "Relevance"),
        (NEWEST, "Newest first"),
        (OLDEST, "Oldest first"),
        (MOST_COMMENTED, "Most commented"),
    ]


@dataclass(frozen=True, slots=True)
class Hit:
    document_id: int
    kind: str
    post_id: int
    comment_id: int | None
    snippet: SafeString


def highlight(snippet: str) -> SafeString:
    """Escape a snippet, then turn the engine's markers into balanced <mark> elements."""
    html, open_ = [], False
    for part in _MARKS.split(snippet):
        if part == MARK_START:
            if not open_:
                html.append("<mark>")
            open_ = True
        elif part == MARK_END:
            if open_:
                html.append("</mark>")
            open_ = False
        else:
            html.append(escape(part))
    if open_:
        html.append("</mark>")
    return mark_safe("".join(html))


def thread_comment_count() -> Subquery:
    """The thread's published comment count, kept on the post's row, for any row."""
    return Subquery(
        SearchDocument.objects.filter(kind=Kind.POST, post_id=OuterRef("post_id")).values(
            "comment_count"
        )[:1]
    )


def with_comments(documents: QuerySet) -> QuerySet:
    """Rows whose thread has at least one published comment."""
    threads = SearchDocument.objects.filter(kind=Kind.POST, comment_count__gt=0)
    return documents.filter(post_id__in=threads.values("post_id"))


def bounded_relevance(
    ranked: Callable[[int, int], list[int]],
    rest: Callable[[int, int], list[int]],
    offset: int,
    limit: int,
) -> list[int]:
    """Ids of one page in SQLite's bounded relevance order: `ranked(offset, limit)` pages through
    the most recent RANKED_CANDIDATES matches by rank, `rest(offset, limit)` through all
    matches most recent first; a page may straddle the two."""
    ids = []
    if offset < RANKED_CANDIDATES:
        ids += ranked(offset, min(limit, RANKED_CANDIDATES - offset))
    if offset + limit > RANKED_CANDIDATES:
        start = max(offset, RANKED_CANDIDATES)
        ids += rest(start, offset + limit - start)
    return ids


class SearchBackend(Protocol):
    def match(self, documents: QuerySet, query: Query) -> QuerySet:
        """Narrow `documents` to those matching `query` (for counts and facets)."""

    def page(
        self, documents: QuerySet, query: Query, sort: str, offset: int, limit: int
    ) -> list[Hit]:
        """One page of matches in `sort` order, each with a highlighted snippet."""


class PostgresBackend:
    """tsvector + GIN, websearch_to_tsquery, ts_rank, ts_headline."""

    config = "english"

    def _tsquery(self, query: Query) -> SearchQuery:
        return SearchQuery(query.to_websearch(), search_type="websearch", config=self.config)

    def match(self, documents: QuerySet, query: Query) -> QuerySet:
        return documents.filter(vector=self._tsquery(query))

    def page(
        self, documents: QuerySet, query: Query, sort: str, offset: int, limit: int
    ) -> list[Hit]:
        tsquery = self._tsquery(query)
        matches = self.match(documents, query)
        order = {
            Sort.RELEVANCE: ["-rank", "-date", "-id"],
            Sort.NEWEST: ["-date", "-id"],
            Sort.OLDEST: ["date", "id"],
            Sort.MOST_COMMENTED: ["-thread_comments", "-rank", "-id"],
        }[sort]
        if sort in (Sort.RELEVANCE, Sort.MOST_COMMENTED):
            matches = matches.annotate(rank=SearchRank(F("vector"), tsquery))
        if sort == Sort.MOST_COMMENTED:
            matches = matches.annotate(thread_comments=thread_comment_count())
        window = matches.order_by(*order).values_list("id", flat=True)
        ids = list(window[offset : offset + limit])
        # Headlines for this page only: ts_headline re-parses the text, the costly part.
        headlines = dict(
            SearchDocument.objects.filter(id__in=ids)
            .annotate(
                snippet=SearchHeadline(
                    "body",
                    tsquery,
                    config=self.config,
                    start_sel=MARK_START,
                    stop_sel=MARK_END,
                    max_words=SNIPPET_WORDS,
                    min_words=SNIPPET_WORDS // 2,
                )
            )
            .values_list("id", "snippet")
        )
        rows = SearchDocument.objects.only("kind", "post_id", "comment_id").in_bulk(ids)
        return [_hit(rows[i], headlines[i]) for i in ids]


class SqliteBackend:
    """FTS5 (external content over search_document): bm25 with the title weighted 10x."""

    rank = f"bm25({FTS_TABLE}, 10.0, 1.0)"

    def match(self, documents: QuerySet, query: Query) -> QuerySet:
        return documents.filter(
            id__in=RawSQL(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [query.to_fts5()]
            )
        )

    def page(
        self, documents: QuerySet, query: Query, sort: str, offset: int, limit: int
    ) -> list[Hit]:
        try:
            where, where_params = _where(documents)
        except EmptyResultSet:
            return []
        fts_query = query.to_fts5()
        matches = (
            f"FROM {FTS_TABLE} JOIN search_document ON search_document.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND ({where})"
        )
        # Every value is a parameter; only fixed fragments and Django's own compiled
        # WHERE clause (for the form's filters) are composed into the statement.
        # bm25 only when the order needs it: SQLite computes every output column for each
        # row it sorts. FTS5 walks a match list in rowid order itself, so the most recent
        # candidates come with no sort, and bm25 runs for those rows alone.
        with connections[documents.db].cursor() as cursor:

            def fetch(sql: str, params: list) -> list[int]:
                cursor.execute(sql, [fts_query, *where_params, *params])
                return [row[0] for row in cursor.fetchall()]

            if sort == Sort.RELEVANCE:
                ids = bounded_relevance(
                    lambda start, n: fetch(
                        "SELECT id FROM (SELECT search_document.id AS id, "
                        f"search_document.date AS date, {self.rank} AS rank {matches} "
                        f"ORDER BY {FTS_TABLE}.rowid DESC LIMIT %s) "
                        "ORDER BY rank, date DESC, id DESC LIMIT %s OFFSET %s",
                        [RANKED_CANDIDATES, n, start],
                    ),
                    lambda start, n: fetch(
                        f"SELECT search_document.id {matches} "
                        f"ORDER BY {FTS_TABLE}.rowid DESC LIMIT %s OFFSET %s",
                        [n, start],
                    ),
                    offset,
                    limit,
                )
            else:
                order, columns = {
                    Sort.NEWEST: ("search_document.date DESC, search_document.id DESC", ""),
                    Sort.OLDEST: ("search_document.date, search_document.id", ""),
                    Sort.MOST_COMMENTED: (
                        "thread_comments DESC, rank, search_document.id DESC",
                        f", {self.rank} AS rank, (SELECT t.comment_count FROM search_document t "
                        "WHERE t.kind = 'post' AND t.post_id = search_document.post_id) "
                        "AS thread_comments",
                    ),
                }[sort]
                ids = fetch(
                    f"SELECT search_document.id{columns} {matches} "
                    f"ORDER BY {order} LIMIT %s OFFSET %s",
                    [limit, offset],
                )
            if not ids:
                return []
            # Snippets in a second statement, for this page's rows only: SQLite computes
            # every output column before it sorts, so snippet() in the query above would
            # run once per match (tens of thousands for a common word).
            cursor.execute(
                f"SELECT rowid, snippet({FTS_TABLE}, 1, %s, %s, ' … ', %s) FROM {FTS_TABLE} "
                f"WHERE {FTS_TABLE} MATCH %s AND rowid IN ({', '.join(['%s'] * len(ids))})",
                [MARK_START, MARK_END, SNIPPET_WORDS, fts_query, *ids],
            )
            snippets = dict(cursor.fetchall())
        rows = (
            SearchDocument.objects.using(documents.db)
            .only("kind", "post_id", "comment_id")
            .in_bulk(ids)
        )
        return [_hit(rows[i], snippets.get(i, "")) for i in ids]


def _where(documents: QuerySet) -> tuple[str, list]:
    """The queryset's WHERE clause (it names the table search_document, unaliased)."""
    query = documents.query
    compiler = query.get_compiler(using=documents.db)
    try:
        sql, params = compiler.compile(query.where)
    except FullResultSet:
        return "1 = 1", []
    return sql, list(params)


def _hit(row: SearchDocument, snippet: str) -> Hit:
    return Hit(row.id, row.kind, row.post_id, row.comment_id, highlight(snippet or ""))


def backend_for(alias: str = "default") -> SearchBackend:
    """The backend that fits the database behind `alias`."""
    if connections[alias].vendor == "postgresql":
        return PostgresBackend()
    return SqliteBackend()
