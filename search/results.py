"""The search API the page uses: facets, a total, and lazily fetched pages of results."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils.safestring import SafeString

from forum.models import Comment, Post

from .backends import Hit, SearchBackend
from .query import Query


@dataclass(frozen=True, slots=True)
class Result:
    """One line of the results: a post, or a comment shown with its post and number."""

    post: Post
    comment: Comment | None
    snippet: SafeString

    @property
    def url(self) -> str:
        return self.comment.get_absolute_url() if self.comment else self.post.get_absolute_url()


@dataclass(frozen=True, slots=True)
class Facets:
    """Matches per (year, month) of one query: the year and month facets and the total
    of any year/month choice, from a single pass over the matches."""

    counts: dict[tuple[int, int], int]

    @classmethod
    def count(cls, backend: SearchBackend, documents: QuerySet, query: Query) -> Facets:
        rows = (
            backend.match(documents, query)
            .order_by()
            .values_list("year", "month")
            .annotate(n=Count("id"))
        )
        return cls({(year, month): n for year, month, n in rows})

    def years(self) -> dict[int, int]:
        years: dict[int, int] = {}
        for (year, _month), n in sorted(self.counts.items()):
            years[year] = years.get(year, 0) + n
        return years

    def months(self, year: int) -> dict[int, int]:
        return {m: n for (y, m), n in sorted(self.counts.items()) if y == year}

    def total(self, year: int | None = None, month: int | None = None) -> int:
        return sum(
            n
            for (y, m), n in self.counts.items()
            if (year is None or y == year) and (month is None or m == month)
        )


class Results:
    """A sequence Django's Paginator can page through: one backend call per page."""

    def __init__(
        self, backend: SearchBackend, documents: QuerySet, query: Query, sort: str, total: int
    ) -> None:
        self.backend, self.documents, self.query, self.sort = backend, documents, query, sort
        self.total = total

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, window: slice) -> list[Result]:
        start, stop = window.start or 0, window.stop
        if stop <= start:
            return []
        hits = self.backend.page(self.documents, self.query, self.sort, start, stop - start)
        return attach(hits)


def attach(hits: list[Hit]) -> list[Result]:
    """Posts and comments for a page of hits in two queries (none per result)."""
    posts = Post.objects.only("id", "title", "date", "year", "month", "slug").in_bulk(
        {h.post_id for h in hits}
    )
    comments = Comment.objects.only("id", "post_id", "path", "number").in_bulk(
        {h.comment_id for h in hits if h.comment_id}
    )
    results = []
    for hit in hits:
        comment = comments.get(hit.comment_id) if hit.comment_id else None
        if comment is not None:
            comment.post = posts[hit.post_id]
        results.append(Result(posts[hit.post_id], comment, hit.snippet))
    return results
