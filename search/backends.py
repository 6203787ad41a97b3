"""One search API, two engines: PostgreSQL full text and SQLite FTS5.

Callers hand over a SearchDocument queryset already narrowed by the form's filters
(dates, year, month, kind, has comments) and a parsed `Query`; a backend adds the
full-text match, ranks, sorts and cuts highlighted snippets for one page only.
"""

from __future__ import annotations

import re
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
        ranked = self.match(documents, query).annotate(rank=SearchRank(F("vector"), tsquery))
        order = {
            Sort.RELEVANCE: ["-rank", "-date", "-id"],
            Sort.NEWEST: ["-date", "-id"],
            Sort.OLDEST: ["date", "id"],
            Sort.MOST_COMMENTED: ["-thread_comments", "-rank", "-id"],
        }[sort]
        if sort == Sort.MOST_COMMENTED:
            ranked = ranked.annotate(thread_comments=thread_comment_count())
        ids = list(ranked.order_by(*order).values_list("id", flat=True)[offset : offset + limit])
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
        rows = SearchDocument.objects.in_bulk(ids)
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
        order = {
            Sort.RELEVANCE: "rank, search_document.date DESC, search_document.id DESC",
            Sort.NEWEST: "search_document.date DESC, search_document.id DESC",
            Sort.OLDEST: "search_document.date, search_document.id",
            Sort.MOST_COMMENTED: "thread_comments DESC, rank, search_document.id DESC",
        }[sort]
        thread_comments = (
            "(SELECT t.comment_count FROM search_document t "
            "WHERE t.kind = 'post' AND t.post_id = search_document.post_id)"
            if sort == Sort.MOST_COMMENTED
            else "0"
        )
        # Every value is a parameter; only fixed fragments and Django's own compiled
        # WHERE clause (for the form's filters) are composed into the statement.
        # bm25 only when the order needs it: every output column is computed per match.
        rank = self.rank if sort in (Sort.RELEVANCE, Sort.MOST_COMMENTED) else "0"
        sql = (
            f"SELECT search_document.id, {rank} AS rank, "
            f"{thread_comments} AS thread_comments "
            f"FROM {FTS_TABLE} JOIN search_document ON search_document.id = {FTS_TABLE}.rowid "
            f"WHERE {FTS_TABLE} MATCH %s AND ({where}) "
            f"ORDER BY {order} LIMIT %s OFFSET %s"
        )
        fts_query = query.to_fts5()
        with connections[documents.db].cursor() as cursor:
            cursor.execute(sql, [fts_query, *where_params, limit, offset])
            ids = [row[0] for row in cursor.fetchall()]
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
        rows = SearchDocument.objects.using(documents.db).in_bulk(ids)
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
