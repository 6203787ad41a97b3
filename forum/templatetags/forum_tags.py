"""Template tags of the reading pages: Blogger's archive widget, and cheap links."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field

from django import template
from django.db.models import Count

from forum.links import cached_reverse
from forum.models import Post

register = template.Library()


@register.simple_tag
def link(view_name: str, *args: object) -> str:
    """A view's URL, as {% url %} writes it, reversed once per process."""
    return cached_reverse(view_name, *args)


@dataclass
class ArchiveYear:
    year: int
    count: int = 0
    months: list[ArchiveMonth] = field(default_factory=list)


@dataclass(frozen=True)
class ArchiveMonth:
    month: int
    count: int

    @property
    def name(self) -> str:
        return calendar.month_name[self.month]

    @property
    def mm(self) -> str:
        """The month as it appears in URLs ('02')."""
        return f"{self.month:02d}"


def archive_years() -> list[ArchiveYear]:
    """Years, newest first, each with its months and post counts: one GROUP BY query."""
    rows = (
        Post.objects.published()
        .order_by()
        .values_list("year", "month")
        .annotate(n=Count("pk"))
        .order_by("-year", "-month")
    )
    years: list[ArchiveYear] = []
    for year, month, n in rows:
        if not years or years[-1].year != year:
            years.append(ArchiveYear(year))
        years[-1].count += n
        years[-1].months.append(ArchiveMonth(month, n))
    return years


@register.inclusion_tag("forum/_archive_widget.html", takes_context=True)
def archive_widget(context: template.Context, open_all: bool = False) -> dict:
    """The sidebar archive; the year (and month) being read is unfolded, as on Blogger.
    `open_all` unfolds every year (the archive page)."""
    years = archive_years()
    open_year = context.get("archive_year") or (years[0].year if years else None)
    return {
        "years": years,
        "open_all": open_all,
        "open_year": open_year,
        "open_month": context.get("archive_month"),
    }
