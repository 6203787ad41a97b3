"""Pages of results for Django's Paginator, each read from as few years as it needs."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString

from forum.models import comment_anchor, post_url

from .backends import RANKED_CANDIDATES, Hit, SearchBackend, Sort
from .facets import Facets
from .models import Kind
from .query import Query
from .scope import Scope

if TYPE_CHECKING:
    from .filters import SearchFilterSet


def find(
    backend: SearchBackend, query: Query, sort: str, filterset: SearchFilterSet
) -> tuple[Facets, Results]:
    """The facets and the paged results of one search (the filterset is valid).

    One count of the matches in every year (and month of the chosen year) gives the
    facets, the total, and where in the archive each page of results lies.
    """
    year, month = filterset.year_and_month()
    # Relevance ranks the newest matches only: their keys are all a page needs.
    newest = RANKED_CANDIDATES if sort == Sort.RELEVANCE else 0
    facets = backend.facets(filterset.scope(facets=True), query, year, month, newest)
    scope = filterset.scope()
    spans = facets.spans(scope, year, month)
    return facets, Results(backend, query, sort, scope, spans, facets.keys)


@dataclass(frozen=True, slots=True)
class Result:
    """One line of the results: a post, or a comment shown with its post and number."""

    title: str  # the post's
    day: datetime.date  # the post's; a comment written here, its own
    # "12.1" for comment 12.1; None for the post itself.
    comment_path: str | None
    url: str
    snippet: SafeString

    @property
    def kind(self) -> str:
        return Kind.COMMENT if self.comment_path else Kind.POST

    @property
    def heading(self) -> str:
        if self.comment_path:
            return f"Comment {self.comment_path} on “{self.title}”"
        return self.title

    @property
    def date_text(self) -> str:
        """'18 February 2015', as the rest of the site writes dates."""
        return f"{self.day.day} {self.day:%B %Y}"


class Results:
    """A sequence Django's Paginator can page through: one backend call per page.

    `spans` cut the scope into years (or months), newest first, with their matches. A
    page of the newest-first (or oldest-first) order then lies in the few spans that
    hold its positions, and the backend reads those alone: page 1 of "probation",
    78,000 matches, reads this year's. Relevance ranks the RANKED_CANDIDATES newest
    matches, which the same spans locate, and lists older matches after them, newest
    first. When the facets hold the keys of every match, or of the newest matches
    that hold a page, `locate` names its documents outright instead.
    """

    def __init__(
        self,
        backend: SearchBackend,
        query: Query,
        sort: str,
        scope: Scope,
        spans: list[tuple[Scope, int]],
        keys: tuple[int, ...] | None = None,
    ) -> None:
        self.backend, self.query, self.sort, self.scope = backend, query, sort, scope
        self.spans = spans
        self.total = sum(n for _span, n in spans)
        # The facets' keys of this scope's matches: all of them, or (fewer than the
        # total) the newest ones.
        self.keys = keys

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, window: slice) -> list[Result]:
        start, stop = window.start or 0, min(window.stop, self.total)
        if stop <= start:
            return []
        page = self.backend.page
        if self.sort == Sort.MOST_COMMENTED:
            everything, _ = self.locate(0, self.total)
            return shown(page(everything, self.query, self.sort, start, stop - start))
        if self.sort != Sort.RELEVANCE:
            scope, skipped = self.locate(start, stop, newest_first=self.sort == Sort.NEWEST)
            return shown(page(scope, self.query, self.sort, start - skipped, stop - start))
        hits: list[Hit] = []
        if start < RANKED_CANDIDATES:
            candidates, _ = self.locate(0, RANKED_CANDIDATES)
            end = min(stop, RANKED_CANDIDATES)
            hits += page(candidates, self.query, Sort.RELEVANCE, start, end - start)
        if stop > RANKED_CANDIDATES:
            older = max(start, RANKED_CANDIDATES)
            scope, skipped = self.locate(older, stop)
            hits += page(scope, self.query, Sort.NEWEST, older - skipped, stop - older)
        return shown(hits)

    def locate(self, start: int, stop: int, newest_first: bool = True) -> tuple[Scope, int]:
        """The narrowest scope holding positions start..stop of the newest-first (or
        oldest-first) order, and how many matches come before that scope."""
        keys = self.keys
        if keys is not None and (len(keys) == self.total or newest_first and stop <= len(keys)):
            n = len(keys)
            low, high = (n - min(stop, n), n - start) if newest_first else (start, stop)
            return self.scope.exactly(keys[low:high]), start
        spans = self.spans if newest_first else self.spans[::-1]
        before, skipped, held = 0, 0, []
        for span, n in spans:
            if n and before < stop and before + n > start:
                if not held:
                    skipped = before
                held.append(span)
            before += n
        if len(held) == sum(1 for _span, n in spans if n):
            return self.scope, 0  # all of it: no narrower scope to read
        first = min(span.first for span in held)
        last = max(span.last for span in held)
        return self.scope.within(first, last), skipped


def shown(hits: list[Hit]) -> list[Result]:
    """Result lines for a page of hits, linked to the post or the comment's anchor."""
    results = []
    for hit in hits:
        url = post_url(hit.year, hit.month, hit.slug)
        if hit.comment_path:
            url = f"{url}#{comment_anchor(hit.comment_path, hit.source_id)}"
        results.append(Result(hit.title, hit.day, hit.comment_path, url, hit.snippet))
    return results
