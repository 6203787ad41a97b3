"""The search form's filters (django-filter), over `search.models.SearchDocument`.

The filters (dates, year, month, kind, "has comments") become one `search.scope.Scope`,
which each engine applies inside its own index: SQLite's FTS5 answers a span of dates
without reading a row, so the backends take the scope rather than a queryset (`.qs`
is the same scope as a queryset). The free text and the sort order are plain form
fields that the search backend applies.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import QuerySet

from .backends import Sort
from .facets import chosen_span
from .models import Kind, SearchDocument
from .scope import Scope

FIRST_YEAR = 2010
MONTHS = [(m, datetime.date(2000, m, 1).strftime("%B")) for m in range(1, 13)]


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search for",
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "autofocus": True}),
    )
    sort = forms.ChoiceField(label="Sort by", choices=Sort.CHOICES, required=False)

    def clean_sort(self) -> str:
        return self.cleaned_data["sort"] or Sort.RELEVANCE

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("month") and not cleaned.get("year"):
            self.add_error("month", "Choose a year as well: a month is searched within a year.")
        return cleaned


def year_choices() -> list[tuple[int, int]]:
    return [(y, str(y)) for y in range(datetime.date.today().year, FIRST_YEAR - 1, -1)]


class SearchFilterSet(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        field_name="date",
        lookup_expr="gte",
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="date",
        lookup_expr="lte",
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    year = django_filters.ChoiceFilter(choices=year_choices, empty_label="Any year", label="Year")
    month = django_filters.ChoiceFilter(choices=MONTHS, empty_label="Any month", label="Month")
    kind = django_filters.ChoiceFilter(
        choices=Kind.choices, empty_label="Posts and comments", label="Show"
    )
    has_comments = django_filters.BooleanFilter(
        label="Only threads with comments",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = SearchDocument
        fields: list[str] = []
        form = SearchForm

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return self.scope().documents(queryset)

    def year_and_month(self) -> tuple[int | None, int | None]:
        data = self.form.cleaned_data
        year, month = data.get("year"), data.get("month")
        return (int(year) if year else None), (int(month) if month else None)

    def scope(self, *, facets: bool = False) -> Scope:
        """Where to search; for `facets`, every year and month of it, so that the year
        counts show the reader where else to look."""
        data = self.form.cleaned_data
        scope = Scope(
            first=data.get("date_from"),
            last=data.get("date_to"),
            kind=data.get("kind") or None,
            busy_threads=bool(data.get("has_comments")),
        )
        year, month = self.year_and_month()
        if facets or not year:
            return scope
        return scope.within(*chosen_span(year, month))
