"""Matches per year (and per month of the chosen year): the page's facets, its total,
and the spans that let any page of newest-first results be read from a few years only.
The facets may also hold keys: every match's when a search matches few documents, or
the newest matches' that relevance ranks; pages they cover then name their documents
outright."""

from __future__ import annotations

import calendar
import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .scope import Scope


def year_span(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def month_span(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, 1), datetime.date(year, month, last)


def chosen_span(year: int, month: int | None) -> tuple[datetime.date, datetime.date]:
    """The days of the reader's chosen year, or of its chosen month."""
    return month_span(year, month) if month else year_span(year)


@dataclass(frozen=True, slots=True)
class Facets:
    """Matches of one query in the facet scope (every filter but year and month)."""

    years: dict[int, int]
    # Months of the chosen year only; empty when no year is chosen.
    months: dict[int, int]
    # Keys, ascending, when the engine read them out: of the matches in the chosen year
    # and month (in every year when none is chosen), all of them or the newest ones
    # (see SearchBackend.facets).
    keys: tuple[int, ...] | None = None

    @classmethod
    def of_months(cls, counts: Iterable[tuple[int, int, int]], year: int | None) -> Facets:
        """From (year, month, matches) rows: every year's total, and `year`'s months."""
        years: Counter[int] = Counter()
        months: Counter[int] = Counter()
        for y, m, n in counts:
            years[y] += n
            if y == year:
                months[m] += n
        return cls(dict(years), dict(months))

    def holding(self, keys: tuple[int, ...]) -> Facets:
        """These counts, with keys (ascending) of the matches they count."""
        return Facets(self.years, self.months, keys)

    def total(self, year: int | None = None, month: int | None = None) -> int:
        if year is not None and month is not None:
            return self.months.get(month, 0)
        if year is not None:
            return self.years.get(year, 0)
        return sum(self.years.values())

    def spans(self, scope: Scope, year: int | None, month: int | None) -> list[tuple[Scope, int]]:
        """The result scope cut into years (or the chosen year's months), newest first,
        each with its number of matches."""
        if year is None:
            counts = {year_span(y): n for y, n in self.years.items()}
        elif month is None:
            counts = {month_span(year, m): n for m, n in self.months.items()}
        else:
            return [(scope, self.total(year, month))]
        return [(scope.within(*span), n) for span, n in sorted(counts.items(), reverse=True)]
