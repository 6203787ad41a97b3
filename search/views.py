"""The search page: form, facets by year (and month within a year), paged results."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render

from forum.filters import MONTHS, SearchFilterSet

from .backends import backend_for
from .models import SearchDocument
from .query import MAX_QUERY_CHARS, parse
from .results import Results, facet_counts

PER_PAGE = 20
MONTH_NAMES = dict(MONTHS)


def _filterset(data: QueryDict, *without: str) -> SearchFilterSet:
    data = data.copy()
    for key in (*without, "page"):
        data.pop(key, None)
    return SearchFilterSet(data, queryset=SearchDocument.objects.all())


def _link(data: QueryDict, **changes: int | None) -> str:
    """This search's query string with some parameters changed (None drops one)."""
    data = data.copy()
    data.pop("page", None)
    for key, value in changes.items():
        data.pop(key, None)
        if value is not None:
            data[key] = str(value)
    return "?" + data.urlencode()


def search(request: HttpRequest) -> HttpResponse:
    """Search posts and comments; a bad query gets a message, never an error page."""
    filterset = _filterset(request.GET)
    context = {"filter": filterset, "form": filterset.form, "searched": False}
    if not filterset.is_valid() or not filterset.form.cleaned_data["q"]:
        return render(request, "search/search.html", context)

    cleaned = filterset.form.cleaned_data
    query = parse(cleaned["q"])
    context.update(searched=True, query=query, max_chars=MAX_QUERY_CHARS)
    if not query:
        return render(request, "search/search.html", context)

    backend = backend_for()
    years = facet_counts(backend, _filterset(request.GET, "year", "month").qs, query, "year")
    year, month = cleaned.get("year"), cleaned.get("month")
    months: dict[int, int] = {}
    if year:
        months = facet_counts(backend, _filterset(request.GET, "month").qs, query, "month")
        total = months.get(int(month), 0) if month else years.get(int(year), 0)
    elif month:
        total = backend.match(filterset.qs, query).count()
    else:
        total = sum(years.values())

    results = Results(backend, filterset.qs, query, cleaned["sort"], total)
    page = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
    context.update(
        page=page,
        total=total,
        year_facets=[(y, n, _link(request.GET, year=y, month=None)) for y, n in years.items()],
        month_facets=[(MONTH_NAMES[m], n, _link(request.GET, month=m)) for m, n in months.items()],
        any_year_link=_link(request.GET, year=None, month=None),
        selected_year=int(year) if year else None,
        selected_month=MONTH_NAMES.get(int(month)) if month else None,
        page_link=_link(request.GET),
    )
    return render(request, "search/search.html", context)
