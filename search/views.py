"""The search page: form, facets by year (and month within a year), paged results."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from forum.filters import MONTHS, SearchFilterSet

from .backends import backend_for
from .models import SearchDocument
from .query import MAX_QUERY_CHARS, parse
from .results import Facets, Results

PER_PAGE = 20
MONTH_NAMES = dict(MONTHS)


@dataclass(frozen=True, slots=True)
class Select:
    """A <select> of the form, written out by the page's own template."""

    name: str
    label: str
    choices: list[tuple[str, str]]
    value: str


def _selects(form: Form) -> list[Select]:
    return [
        Select(
            name,
            form.fields[name].label,
            [(str(value), label) for value, label in form.fields[name].choices],
            str(form[name].value() or ""),
        )
        for name in ("sort", "year", "month", "kind")
    ]


def _link(params: dict[str, str], **changes: int | None) -> str:
    """This search's query string with some parameters changed (None drops one)."""
    changed = {key: value for key, value in params.items() if key not in changes}
    changed.update({key: str(value) for key, value in changes.items() if value is not None})
    return "?" + urlencode(changed)


def search(request: HttpRequest) -> HttpResponse:
    """Search posts and comments; a bad query gets a message, never an error page."""
    filterset = SearchFilterSet(request.GET, queryset=SearchDocument.objects.all())
    form = filterset.form
    context = {"form": form, "selects": _selects(form), "searched": False}
    if not filterset.is_valid() or not filterset.form.cleaned_data["q"]:
        return render(request, "search/search.html", context)

    cleaned = filterset.form.cleaned_data
    query = parse(cleaned["q"])
    context.update(searched=True, query=query, max_chars=MAX_QUERY_CHARS)
    if not query:
        return render(request, "search/search.html", context)

    backend = backend_for()
    # One pass over the matches (filtered by all but year and month) gives the year
    # facets, the month facets of the chosen year and the total of any choice.
    facets = Facets.count(backend, filterset.filtered(without=("year", "month")), query)
    year = int(cleaned["year"]) if cleaned.get("year") else None
    month = int(cleaned["month"]) if cleaned.get("month") else None
    years = facets.years()
    months = facets.months(year) if year else {}
    total = facets.total(year, month)

    params = {key: value for key, value in request.GET.items() if key != "page" and value}
    results = Results(backend, filterset.qs, query, cleaned["sort"], total)
    page = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
    context.update(
        page=page,
        total=total,
        year_facets=[(y, n, _link(params, year=y, month=None)) for y, n in years.items()],
        month_facets=[(MONTH_NAMES[m], n, _link(params, month=m)) for m, n in months.items()],
        any_year_link=_link(params, year=None, month=None),
        selected_year=year,
        selected_month=MONTH_NAMES.get(month) if month else None,
        page_link=_link(params),
    )
    return render(request, "search/search.html", context)
