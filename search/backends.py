"""One search API, two engines: PostgreSQL full text and SQLite FTS5.

Callers hand over a `Scope` (the form's filters), a parsed `Query` and a sort; a
backend counts matches per year, and reads one page of matches with highlighted
snippets.

Relevance is bounded on both engines: the RANKED_CANDIDATES newest matches of a scope
are ranked (bm25 or ts_rank); `search.results` lists any older matches after them,
newest first. Ranking reads each candidate's positions, so ranking all 78,000
comments that say "probation" would cost more than the rest of the page; queries with
fewer matches, nearly all of them, are ranked exactly. Counts and facets always count
every match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connections
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .facets import Facets, month_span, year_span
from .indexing import FTS_TABLE
from .models import Kind, SearchDocument
from .query import Query
from .scope import COMMENT_BIT, Scope, key_day, key_kind, key_source

# Private-use characters mark matches inside snippets; escaping happens after, in Python.
MARK_START, MARK_END = "\ue000", "\ue001"
_MARKS = re.compile(f"([{MARK_START}{MARK_END}])")
SNIPPET_WORDS = 30
# 50 pages of 20: ranking this many costs a few milliseconds on either engine.
RANKED_CANDIDATES = 1000
# Up to this many matches, SQLite reads their keys out to count them by date.
FEW_MATCHES = 1000


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
    """A matching document: its key says whether it is a post or a comment, and which."""

    key: int
    snippet: SafeString

    @property
    def kind(self) -> str:
        return key_kind(self.key)

    @property
    def source_id(self) -> int:
        return key_source(self.key)


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


class SearchBackend(Protocol):
    def facets(self, scope: Scope, query: Query, year: int | None) -> Facets:
        """Matches in `scope` per year, and per month of `year` when one is chosen."""

    def page(self, scope: Scope, query: Query, sort: str, offset: int, limit: int) -> list[Hit]:
        """One page of matches in `sort` order, each with a highlighted snippet; relevance
        ranks the RANKED_CANDIDATES newest matches of `scope`, and only those."""


class PostgresBackend:
    """tsvector + GIN, websearch_to_tsquery, ts_rank, ts_headline."""

    config = "english"

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias

    def _tsquery(self, query: Query) -> SearchQuery:
        return SearchQuery(query.to_websearch(), search_type="websearch", config=self.config)

    def facets(self, scope: Scope, query: Query, year: int | None) -> Facets:
        # One pass over the matches, grouped by month.
        rows = (
            scope.documents(SearchDocument.objects.using(self.alias))
            .filter(vector=self._tsquery(query))
            .order_by()
            .values_list("year", "month")
            .annotate(n=Count("*"))
        )
        return Facets.of_months(rows, year)

    def page(self, scope: Scope, query: Query, sort: str, offset: int, limit: int) -> list[Hit]:
        if scope.empty:
            return []
        documents = SearchDocument.objects.using(self.alias)
        matches = scope.documents(documents).filter(vector=self._tsquery(query))
        if sort == Sort.MOST_COMMENTED:
            thread_comments = Subquery(
                SearchDocument.objects.filter(kind=Kind.POST, post_id=OuterRef("post_id")).values(
                    "comment_count"
                )[:1]
            )
            ordered = matches.annotate(
                thread_comments=thread_comments, rank=SearchRank(F("vector"), self._tsquery(query))
            ).order_by("-thread_comments", "-rank", "-id")
            keys = list(ordered.values_list("id", flat=True)[offset : offset + limit])
        else:
            keys = self._in_key_order(matches, query, sort, offset, limit)
        headlines = dict(
            documents.filter(id__in=keys)
            .annotate(
                snippet=SearchHeadline(
                    "body",
                    self._tsquery(query),
                    config=self.config,
                    start_sel=MARK_START,
                    stop_sel=MARK_END,
                    max_words=SNIPPET_WORDS,
                    min_words=SNIPPET_WORDS // 2,
                )
            )
            .values_list("id", "snippet")
        )
        return [Hit(key, highlight(headlines.get(key) or "")) for key in keys]

    def _in_key_order(
        self, matches: QuerySet, query: Query, sort: str, offset: int, limit: int
    ) -> list[int]:
        """Relevance among the newest candidates, or newest/oldest first.

        The matches are materialized first: asked for the newest few, the planner may walk
        the primary key backwards testing every row, which is quick for a common word and
        reads the whole table for a rare one. Materialized, they come from the GIN index.
        """
        sql, params = matches.values("id", "vector").query.sql_with_params()
        head = f"WITH matches AS MATERIALIZED ({sql}) "
        if sort == Sort.RELEVANCE:
            statement = (
                f"{head}SELECT id FROM (SELECT id, vector FROM matches ORDER BY id DESC LIMIT %s) "
                "candidates ORDER BY ts_rank(vector, websearch_to_tsquery(%s::regconfig, %s)) "
                "DESC, id DESC LIMIT %s OFFSET %s"
            )
            params = [*params, RANKED_CANDIDATES, self.config, query.to_websearch()]
        else:
            direction = "DESC" if sort == Sort.NEWEST else "ASC"
            statement = f"{head}SELECT id FROM matches ORDER BY id {direction} LIMIT %s OFFSET %s"
        with connections[matches.db].cursor() as cursor:
            cursor.execute(statement, [*params, limit, offset])
            return [row[0] for row in cursor.fetchall()]


class SqliteBackend:
    """FTS5 (external content over search_document): bm25 with the title weighted 10x.

    Every statement but "most commented" reads the FTS5 index alone: the scope is a
    condition on its rowids, which are the search keys.
    """

    rank = f"bm25({FTS_TABLE}, 10.0, 1.0)"

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias

    def _where(self, scope: Scope, query: Query) -> tuple[str, list]:
        rowid = f"{FTS_TABLE}.rowid"
        conditions, params = [f"{FTS_TABLE} MATCH %s"], [query.to_fts5()]
        low, high = scope.keys
        if low is not None:
            conditions.append(f"{rowid} >= %s")
            params.append(low)
        if high is not None:
            conditions.append(f"{rowid} < %s")
            params.append(high)
        if scope.kind:
            is_comment = "!=" if scope.kind == Kind.COMMENT else "="
            conditions.append(f"({rowid} & {COMMENT_BIT}) {is_comment} 0")
        if scope.busy_threads:
            # Comments always are in a thread with comments; posts look up their count.
            conditions.append(
                f"(({rowid} & {COMMENT_BIT}) != 0 OR {rowid} IN "
                "(SELECT id FROM search_document WHERE kind = 'post' AND comment_count > 0))"
            )
        return " AND ".join(conditions), params

    def _column(self, scope: Scope, query: Query, sql: str, *extra: object) -> list:
        """First column of `sql`, whose `{where}` is the scope and the match."""
        where, params = self._where(scope, query)
        with connections[self.alias].cursor() as cursor:
            cursor.execute(sql.format(where=where), [*params, *extra])
            return [row[0] for row in cursor.fetchall()]

    def _counts(self, scopes: list[Scope], query: Query) -> list[int]:
        """Matches in each scope, from one statement of scalar counts. FTS5 counts a span
        of rowids by seeking to it, without reading the rows out."""
        parts, params = [], []
        for scope in scopes:
            where, where_params = self._where(scope, query)
            parts.append(f"(SELECT count(*) FROM {FTS_TABLE} WHERE {where})")
            params += where_params
        with connections[self.alias].cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(parts)}", params)
            return list(cursor.fetchone())

    def facets(self, scope: Scope, query: Query, year: int | None) -> Facets:
        if scope.empty:
            return Facets({}, {})
        in_order = f"SELECT rowid FROM {FTS_TABLE} WHERE {{where}} ORDER BY rowid"
        oldest = self._column(scope, query, f"{in_order} LIMIT %s", FEW_MATCHES + 1)
        if len(oldest) <= FEW_MATCHES:
            # Few matches: their keys, read out once, hold their dates.
            days = (key_day(key) for key in oldest)
            return Facets.of_months(((d.year, d.month, 1) for d in days), year)
        # Many: a count per year, and per month of the chosen year; far faster than
        # grouping every match, which SQLite would sort.
        newest = self._column(scope, query, f"{in_order} DESC LIMIT 1")
        years = range(key_day(oldest[0]).year, key_day(newest[0]).year + 1)
        months = range(1, 13) if year in years else range(0)
        counts = self._counts(
            [scope.within(*year_span(y)) for y in years]
            + [scope.within(*month_span(year, m)) for m in months],
            query,
        )
        return Facets(
            {y: n for y, n in zip(years, counts[: len(years)], strict=True) if n},
            {m: n for m, n in zip(months, counts[len(years) :], strict=True) if n},
        )

    def page(self, scope: Scope, query: Query, sort: str, offset: int, limit: int) -> list[Hit]:
        if scope.empty:
            return []
        # bm25 only where the order needs it: SQLite computes every output column for each
        # row it sorts. FTS5 walks a match list in rowid order itself, so the newest
        # candidates come with no sort, and bm25 runs for those rows alone.
        statement = {
            Sort.RELEVANCE: (
                f"SELECT rowid FROM (SELECT rowid, {self.rank} AS rank FROM {FTS_TABLE} "
                "WHERE {where} ORDER BY rowid DESC LIMIT %s) "
                "ORDER BY rank, rowid DESC LIMIT %s OFFSET %s"
            ),
            Sort.NEWEST: f"SELECT rowid FROM {FTS_TABLE} WHERE {{where}} "
            "ORDER BY rowid DESC LIMIT %s OFFSET %s",
            Sort.OLDEST: f"SELECT rowid FROM {FTS_TABLE} WHERE {{where}} "
            "ORDER BY rowid LIMIT %s OFFSET %s",
            Sort.MOST_COMMENTED: (
                f"SELECT {FTS_TABLE}.rowid FROM {FTS_TABLE} "
                f"JOIN search_document d ON d.id = {FTS_TABLE}.rowid "
                "JOIN search_document thread "
                "ON thread.kind = 'post' AND thread.post_id = d.post_id "
                f"WHERE {{where}} ORDER BY thread.comment_count DESC, {self.rank}, "
                f"{FTS_TABLE}.rowid DESC LIMIT %s OFFSET %s"
            ),
        }[sort]
        extra = [RANKED_CANDIDATES] if sort == Sort.RELEVANCE else []
        keys = self._column(scope, query, statement, *extra, limit, offset)
        if not keys:
            return []
        # Snippets in a second statement, for this page's rows only: SQLite computes
        # every output column before it sorts, so snippet() above would run per match.
        # FTS5 would look each `rowid IN` value up on its own (0.15 ms each); the unary +
        # keeps the list a plain filter over the span of rowids the page covers.
        with connections[self.alias].cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, snippet({FTS_TABLE}, 1, %s, %s, ' … ', %s) FROM {FTS_TABLE} "
                f"WHERE {FTS_TABLE} MATCH %s AND rowid BETWEEN %s AND %s "
                f"AND +rowid IN ({', '.join(['%s'] * len(keys))})",
                [MARK_START, MARK_END, SNIPPET_WORDS, query.to_fts5(), min(keys), max(keys), *keys],
            )
            snippets = dict(cursor.fetchall())
        return [Hit(key, highlight(snippets.get(key) or "")) for key in keys]


def backend_for(alias: str = "default") -> SearchBackend:
    """The backend that fits the database behind `alias`."""
    if connections[alias].vendor == "postgresql":
        return PostgresBackend(alias)
    return SqliteBackend(alias)
