"""The search form's filters (django-filter), over `search.models.SearchDocument`.

The FilterSet narrows the documents by date, year, month, kind and "has comments"; the
free text and the sort order are plain form fields that the search backend applies
(ranking and snippets need the engine's own full-text functions).
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import QuerySet

from search.backends import Sort, with_comments
from search.models import Kind, SearchDocument

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
        method="filter_has_comments",
        label="Only threads with comments",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = SearchDocument
        fields: list[str] = []
        form = SearchForm

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        """Apply the filters only; `q` and `sort` are the search backend's to apply."""
        return self.filtered(queryset)

    def filtered(self, queryset: QuerySet | None = None, without: tuple[str, ...] = ()) -> QuerySet:
        """The documents with every filter but `without` applied: facet counts by year
        ignore the chosen year and month, so the reader sees where else to look."""
        queryset = self.queryset if queryset is None else queryset
        for name, filter_ in self.filters.items():
            if name not in without:
                queryset = filter_.filter(queryset, self.form.cleaned_data.get(name))
        return queryset

    def filter_has_comments(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return with_comments(queryset) if value else queryset
