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

A search with few matches (`few_matches`, per engine) has its keys read out with the
facets, and its pages then name their documents (`Scope.only`): PostgreSQL looks them
up by key instead of searching its index and rechecking rows again, SQLite reads the
exact span of rowids they cover. PostgreSQL, which reads every match's row to count
it, also brings the newest matches' keys of any search ranked by relevance; SQLite,
which counts without reading rows, reads keys only for pages in date order.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain
from typing import Protocol

from django.contrib.postgres.search import SearchQuery
from django.db import connections
from django.db.models import Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .facets import Facets, chosen_span, month_span, year_span
from .indexing import FTS_TABLE
from .models import Kind, SearchDocument
from .query import Query, Term
from .scope import COMMENT_BIT, Scope, key_day, key_source

# Private-use characters mark matches inside snippets; escaping happens after, in Python.
MARK_START, MARK_END = "\ue000", "\ue001"
_MARKS = re.compile(f"([{MARK_START}{MARK_END}])")
SNIPPET_WORDS = 30
HEADLINE_OPTIONS = (
    f"StartSel={MARK_START}, StopSel={MARK_END}, "
    f"MaxWords={SNIPPET_WORDS}, MinWords={SNIPPET_WORDS // 2}"
)
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
    """A matching document with its snippet and what its result line shows of it: the
    thread's post and, for a comment, its number. Its key says which post or comment."""

    key: int
    snippet: SafeString
    title: str  # the post's
    day: datetime.date  # the post's; a comment written here, its own
    year: int
    month: int
    slug: str
    # "12.1" for comment 12.1; None for the post itself.
    comment_path: str | None

    @property
    def source_id(self) -> int:
        return key_source(self.key)


# What a result line shows, joined onto the page's search rows `d` in the statement that
# writes their snippets (one statement instead of another query per page).
SHOWN = "p.title, d.date, p.year, p.month, p.slug, c.path"
SHOWN_FROM = (
    "JOIN forum_post p ON p.id = d.post_id LEFT JOIN forum_comment c ON c.id = d.comment_id"
)


def hits(keys: list[int], rows: list[tuple]) -> list[Hit]:
    """Hits in `keys` order from (key, snippet, *SHOWN) rows. A document unpublished since
    it was found has no search row, so no snippet row: it is left out."""
    found = {key: row for key, *row in rows}
    page = []
    for key in keys:
        if key in found:
            snippet, *columns = found[key]
            page.append(Hit(key, highlight(snippet or ""), *columns))
    return page


def highlight(snippet: str) -> SafeString:
    """Escape a snippet, then turn the engine's markers into balanced <mark> elements
    (escaping leaves the markers, private-use characters, as they are)."""
    html, open_ = [], False
    for part in _MARKS.split(escape(snippet)):
        if part == MARK_START:
            if not open_:
                html.append("<mark>")
            open_ = True
        elif part == MARK_END:
            if open_:
                html.append("</mark>")
            open_ = False
        else:
            html.append(part)
    if open_:
        html.append("</mark>")
    return mark_safe("".join(html))


class SearchBackend(Protocol):
    def facets(
        self,
        scope: Scope,
        query: Query,
        year: int | None,
        month: int | None = None,
        newest: int = 0,
    ) -> Facets:
        """Matches in `scope` per year, and per month of `year` when one is chosen.

        The counts may bring along the keys (`Facets.keys`) of the matches in the chosen
        year and month (`scope` as a whole when none is chosen): every one, or, when
        only the `newest` are wanted (relevance ranks no others), at least that many of
        the newest.
        """

    def page(self, scope: Scope, query: Query, sort: str, offset: int, limit: int) -> list[Hit]:
        """One page of matches in `sort` order, each with a highlighted snippet; relevance
        ranks the RANKED_CANDIDATES newest matches of `scope`, and only those."""


def fetch(alias: str, statement: str, params: list) -> list[tuple]:
    """Every row of one raw statement on the database behind `alias`."""
    with connections[alias].cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


@lru_cache(maxsize=1024)
def dropped_words(alias: str, config: str, words: tuple[str, ...]) -> frozenset[str]:
    """Which of `words` PostgreSQL's text search `config` indexes as nothing (its stop
    words); remembered, as they change only with the server's dictionaries."""
    dropped = fetch(
        alias,
        "SELECT w FROM unnest(%s::text[]) w WHERE to_tsvector(%s::regconfig, w) = ''",
        [list(words), config],
    )
    return frozenset(word for (word,) in dropped)


def bigints(keys: Iterable[int]) -> str:
    """An array of keys as one PostgreSQL literal: psycopg, binding client-side as Django
    has it, would check each element of a list for quoting (1 ms for 1,000 keys)."""
    return "{" + ",".join(map(str, keys)) + "}"


class PostgresBackend:
    """tsvector + GIN, websearch_to_tsquery, ts_rank, ts_headline."""

    config = "english"
    # Up to this many matches, the facets bring their keys along (see `facets`): a key
    # costs far less to send than a match costs to find again. The bound keeps a
    # request's memory small (50,000 keys take about 2 MB).
    few_matches = 50_000

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias

    def _tsquery(self, query: Query) -> SearchQuery:
        return SearchQuery(query.to_websearch(), search_type="websearch", config=self.config)

    def _matches(self, scope: Scope, query: Query) -> QuerySet:
        """The documents of `scope` that match `query`.

        The configuration drops stop words, inside phrases too: "through the gate" would
        match every "gate". A phrase that loses words that way must also appear in the
        text as those words in that order, so each OR group gets its own condition.
        """
        documents = scope.documents(SearchDocument.objects.using(self.alias))
        exact = self._shortened_phrases(query)
        if not exact:
            return documents.filter(vector=self._tsquery(query))
        condition = Q()
        for group in query.groups:
            indexed = tuple(t for t in group if not (t.exclude and t in exact))
            wanted = Q(vector=self._tsquery(Query((indexed,))))
            for term in group:
                if term in exact:
                    pattern = r"\m" + r"\W+".join(term.words) + r"\M"
                    said = Q(title__iregex=pattern) | Q(body__iregex=pattern)
                    if term.exclude and exact[term] < set(term.words):
                        # Only a row with the phrase's indexed words can say it: testing
                        # those first skips most rows' text (4 excluded phrases: 1.07 s
                        # to 0.41 s over the 78,000 documents that say "probation").
                        said = Q(vector=self._tsquery(Query(((Term(term.words),),)))) & said
                    wanted &= ~said if term.exclude else said
            condition |= wanted
        return documents.filter(condition)

    def _shortened_phrases(self, query: Query) -> dict[Term, frozenset[str]]:
        """Phrases of `query` with a word the configuration leaves out of the index, each
        with the words it leaves out."""
        phrases = {t for group in query.groups for t in group if t.is_phrase}
        dropped = {t: dropped_words(self.alias, self.config, t.words) for t in phrases}
        return {t: words for t, words in dropped.items() if words}

    def facets(
        self,
        scope: Scope,
        query: Query,
        year: int | None,
        month: int | None = None,
        newest: int = 0,
    ) -> Facets:
        if scope.empty:
            return Facets({}, {})
        # One pass over the matches, grouped by month. Each match's row is read anyway
        # (GIN holds no dates), so keys come too: pages then look their documents up by
        # key instead of searching again. Keys of the chosen year and month only: every
        # one when they are few, or, when the `newest` alone are wanted, those of the
        # newest months that hold them (with few_matches as the bound either way).
        matches = self._matches(scope, query).values("id", "year", "month")
        sql, params = matches.query.sql_with_params()
        prefix, every = (min(newest, self.few_matches), 0) if newest else (0, self.few_matches)
        chosen, chosen_params = "TRUE", []
        if year is not None:
            chosen, chosen_params = "year = %s", [year]
            if month is not None:
                chosen, chosen_params = "year = %s AND month = %s", [year, month]
        rows = fetch(
            self.alias,
            "SELECT year, month, n, CASE WHEN chosen AND ("
            "coalesce(sum(n) FILTER (WHERE chosen) OVER newer, 0) < %s "
            "OR sum(n) FILTER (WHERE chosen) OVER () <= %s) THEN keys END "
            f"FROM (SELECT year, month, count(*) AS n, array_agg(id) AS keys, {chosen} AS chosen "
            f"FROM ({sql}) matches GROUP BY year, month) months "
            "WINDOW newer AS (ORDER BY year DESC, month DESC "
            "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)",
            [prefix, every, *chosen_params, *params],
        )
        facets = Facets.of_months(((y, m, n) for y, m, n, _keys in rows), year)
        brought = [keys for *_counts, keys in rows if keys is not None]
        if not brought:
            return facets
        # Sorted here: faster than PostgreSQL's ordered aggregate.
        return facets.holding(tuple(sorted(chain.from_iterable(brought))))

    def page(self, scope: Scope, query: Query, sort: str, offset: int, limit: int) -> list[Hit]:
        if scope.empty:
            return []
        if scope.only is not None and sort in (Sort.NEWEST, Sort.OLDEST):
            in_order = scope.only[::-1] if sort == Sort.NEWEST else scope.only
            keys = list(in_order[offset : offset + limit])
        else:
            keys = self._ordered(scope, query, sort, offset, limit)
        # ts_headline() (what Django's SearchHeadline writes) in the one statement that
        # also reads the result lines' columns; through the ORM it cost 0.9 ms more.
        rows = fetch(
            self.alias,
            f"SELECT d.id, ts_headline(%s::regconfig, d.body, q, %s), {SHOWN} "
            f"FROM search_document d {SHOWN_FROM} "
            "CROSS JOIN websearch_to_tsquery(%s::regconfig, %s) q WHERE d.id = ANY(%s::bigint[])",
            [self.config, HEADLINE_OPTIONS, self.config, query.to_websearch(), bigints(keys)],
        )
        return hits(keys, rows)

    def _ordered(self, scope: Scope, query: Query, sort: str, offset: int, limit: int) -> list[int]:
        """Keys of one page in `sort` order.

        Known matches (`scope.only`) are looked up by key. Otherwise the matches are
        materialized first: asked for the newest few, the planner may walk the primary
        key backwards testing every row, which is quick for a common word and reads the
        whole table for a rare one. Materialized, they come from the GIN index. They hold
        keys only: copying each match's vector cost more than ranking did, so ranking
        reads the candidates' vectors again by key, for those rows alone.
        """
        head, params, among_params = "", [], []
        if scope.only is not None:
            among, among_params = "%s::bigint[]", [bigints(scope.only)]
        else:
            matches = self._matches(scope, query).values("id")
            sql, params = matches.query.sql_with_params()
            head = f"WITH matches AS MATERIALIZED ({sql}) "
            if sort in (Sort.NEWEST, Sort.OLDEST):
                direction = "DESC" if sort == Sort.NEWEST else "ASC"
                return self._keys(
                    f"{head}SELECT id FROM matches ORDER BY id {direction} LIMIT %s OFFSET %s",
                    [*params, limit, offset],
                )
            if sort == Sort.RELEVANCE:
                among = "ARRAY(SELECT id FROM matches ORDER BY id DESC LIMIT %s)"
                among_params = [RANKED_CANDIDATES]
            else:
                among = "ARRAY(SELECT id FROM matches)"
        join, order = "", "ts_rank(d.vector, q) DESC, d.id DESC"
        if sort == Sort.MOST_COMMENTED:
            join = (
                "JOIN search_document thread "
                "ON thread.kind = 'post' AND thread.post_id = d.post_id "
            )
            order = f"thread.comment_count DESC, {order}"
        # The query parsed once, in FROM: websearch_to_tsquery() is only stable, so in
        # ts_rank() PostgreSQL would parse it again for every row.
        statement = (
            f"{head}SELECT d.id FROM search_document d {join}"
            "CROSS JOIN websearch_to_tsquery(%s::regconfig, %s) q "
            f"WHERE d.id = ANY({among}) ORDER BY {order} LIMIT %s OFFSET %s"
        )
        return self._keys(
            statement,
            [*params, self.config, query.to_websearch(), *among_params, limit, offset],
        )

    def _keys(self, statement: str, params: list) -> list[int]:
        return [row[0] for row in fetch(self.alias, statement, params)]


class SqliteBackend:
    """FTS5 (external content over search_document): bm25 with the title weighted 10x.

    Every statement but "most commented" reads the FTS5 index alone: the scope is a
    condition on its rowids, which are the search keys.
    """

    rank = f"bm25({FTS_TABLE}, 10.0, 1.0)"
    # Up to this many matches in the chosen year and month, the facets read their keys
    # out for pages in date order.
    few_matches = 1000

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias

    def _where(self, scope: Scope, query: Query) -> tuple[str, list]:
        rowid = f"{FTS_TABLE}.rowid"
        conditions, params = [f"{FTS_TABLE} MATCH %s"], [query.to_fts5()]
        low, high = (scope.only[0], scope.only[-1] + 1) if scope.only else scope.keys
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
        return [row[0] for row in fetch(self.alias, sql.format(where=where), [*params, *extra])]

    def _counts(self, scopes: list[Scope], query: Query) -> list[int]:
        """Matches in each scope, from one statement of scalar counts. FTS5 counts a span
        of rowids by seeking to it, without reading the rows out."""
        parts, params = [], []
        for scope in scopes:
            where, where_params = self._where(scope, query)
            parts.append(f"(SELECT count(*) FROM {FTS_TABLE} WHERE {where})")
            params += where_params
        return list(fetch(self.alias, f"SELECT {', '.join(parts)}", params)[0])

    def facets(
        self,
        scope: Scope,
        query: Query,
        year: int | None,
        month: int | None = None,
        newest: int = 0,
    ) -> Facets:
        if scope.empty:
            return Facets({}, {})
        # A count per year of the archive, and per month of the chosen year (whose own
        # count is its months'), in one statement: far faster than grouping every match,
        # which SQLite would sort.
        low, high = fetch(
            self.alias,
            "SELECT (SELECT min(id) FROM search_document), (SELECT max(id) FROM search_document)",
            [],
        )[0]
        if low is None:
            return Facets({}, {})
        first = max(key_day(low), scope.first or datetime.date.min)
        last = min(key_day(high), scope.last or datetime.date.max)
        if first > last:  # the dates asked for are outside the archive
            return Facets({}, {})
        years = range(first.year, last.year + 1)
        months = range(1, 13) if year in years else range(0)
        counted = [y for y in years if y != year]
        counts = self._counts(
            [scope.within(*year_span(y)) for y in counted]
            + [scope.within(*month_span(year, m)) for m in months],
            query,
        )
        by_year = dict(zip(counted, counts[: len(counted)], strict=True))
        by_month = {m: n for m, n in zip(months, counts[len(counted) :], strict=True) if n}
        if months:
            by_year[year] = sum(by_month.values())
        facets = Facets({y: n for y, n in by_year.items() if n}, by_month)
        if newest or facets.total(year, month) > self.few_matches:
            # Relevance reads its newest matches itself, as FTS5 walks rowids in order;
            # pages of many matches are found through the year counts.
            return facets
        if year is not None:
            scope = scope.within(*chosen_span(year, month))
        in_order = f"SELECT rowid FROM {FTS_TABLE} WHERE {{where}} ORDER BY rowid"
        return facets.holding(tuple(self._column(scope, query, in_order)))

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
        rowid = f"{FTS_TABLE}.rowid"
        snippets = fetch(
            self.alias,
            f"SELECT {rowid}, snippet({FTS_TABLE}, 1, %s, %s, ' … ', %s), {SHOWN} "
            f"FROM {FTS_TABLE} JOIN search_document d ON d.id = {rowid} {SHOWN_FROM} "
            f"WHERE {FTS_TABLE} MATCH %s AND {rowid} BETWEEN %s AND %s "
            f"AND +{rowid} IN ({', '.join(['%s'] * len(keys))})",
            [MARK_START, MARK_END, SNIPPET_WORDS, query.to_fts5(), min(keys), max(keys), *keys],
        )
        return hits(keys, snippets)


def backend_for(alias: str = "default") -> SearchBackend:
    """The backend that fits the database behind `alias`."""
    if connections[alias].vendor == "postgresql":
        return PostgresBackend(alias)
    return SqliteBackend(alias)
