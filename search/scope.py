"""Where a search looks, and the date-ordered keys that let an index answer that alone.

Each search document's id is a *key* built from the thread's date, its kind and the
post's or comment's own id:

    key = days since 1970 << 33 | is a comment << 32 | post or comment id

Keys sort by date, so any span of dates (a year, a month, the form's from/to) is one
span of keys. FTS5 walks its rowids (the keys) in order and seeks to a span's start, so
on SQLite the year counts, the date filters and "newest first" never read a row behind
the full-text index; on PostgreSQL a span is a primary-key range.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace

from django.db.models import Q, QuerySet

from .models import Kind, SearchDocument

EPOCH = datetime.date(1970, 1, 1)
DAY_SHIFT = 33
COMMENT_BIT = 1 << 32
# Post and comment ids must stay below 2**32 to fit under the kind bit.
MAX_SOURCE_ID = COMMENT_BIT - 1


def day_key(day: datetime.date) -> int:
    """The lowest key of a day: every document of `day` has a key from here on."""
    return (day - EPOCH).days << DAY_SHIFT


def document_key(day: datetime.date, kind: str, source_id: int) -> int:
    """The key of a post's (source_id = post id) or a comment's (comment id) document.

    The database triggers compute the same in SQL; tests hold the two together.
    """
    if not 0 < source_id <= MAX_SOURCE_ID:
        raise ValueError(f"id {source_id} does not fit in a search key")
    return day_key(day) | (COMMENT_BIT if kind == Kind.COMMENT else 0) | source_id


def key_day(key: int) -> datetime.date:
    return EPOCH + datetime.timedelta(days=key >> DAY_SHIFT)


def key_source(key: int) -> int:
    """The post id (post documents) or comment id (comment documents) inside a key."""
    return key & MAX_SOURCE_ID


@dataclass(frozen=True, slots=True)
class Scope:
    """The documents a search may return: a span of days (both ends included), one kind
    or both, and "threads with comments" (every comment is in one; posts need a count).

    `only` names the documents outright: a run of matches that are consecutive in key
    order (see `exactly`), so the run's first and last keys bound it exactly too.
    """

    first: datetime.date | None = None
    last: datetime.date | None = None
    kind: str | None = None
    busy_threads: bool = False
    only: tuple[int, ...] | None = None

    @property
    def keys(self) -> tuple[int | None, int | None]:
        """The span as keys: lowest included, highest excluded (None: open)."""
        low = day_key(self.first) if self.first else None
        high = day_key(self.last + datetime.timedelta(days=1)) if self.last else None
        return low, high

    @property
    def empty(self) -> bool:
        return self.first is not None and self.last is not None and self.first > self.last

    def within(self, first: datetime.date, last: datetime.date) -> Scope:
        """This scope narrowed to the days from `first` to `last` (maybe empty)."""
        return replace(
            self,
            first=max(first, self.first) if self.first else first,
            last=min(last, self.last) if self.last else last,
        )

    def exactly(self, run: tuple[int, ...]) -> Scope:
        """This scope narrowed to `run`: the keys, ascending, of consecutive matches."""
        if not run:
            return replace(self, first=datetime.date.max, last=datetime.date.min, only=())
        return replace(self, first=key_day(run[0]), last=key_day(run[-1]), only=run)

    def documents(self, documents: QuerySet | None = None) -> QuerySet:
        """The scope as a SearchDocument queryset (PostgreSQL reads it through the ORM)."""
        documents = SearchDocument.objects.all() if documents is None else documents
        if self.empty:
            return documents.none()
        low, high = self.keys
        if low is not None:
            documents = documents.filter(id__gte=low)
        if high is not None:
            documents = documents.filter(id__lt=high)
        if self.only is not None:
            documents = documents.filter(id__in=self.only)
        if self.kind:
            documents = documents.filter(kind=self.kind)
        if self.busy_threads:
            documents = documents.filter(
                Q(kind=Kind.COMMENT) | Q(kind=Kind.POST, comment_count__gt=0)
            )
        return documents
