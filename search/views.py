"""The search page: form, facets by year (and month within a year), paged results.

Every search is bounded: the parser caps what one may ask (`search.query`), its
database work has a time budget (`search.budget`), and each client may run only so
many searches, and fewer slow ones (`search.ratelimits`). Past any of them the reader
gets the form back with a message saying what was done and what to try, never an error
page.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from http import HTTPStatus

from django.conf import settings
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from . import markup, ratelimits
from .backends import backend_for
from .budget import SearchTooBroad, time_budget
from .filters import MONTHS, SearchFilterSet
from .models import SearchDocument
from .query import (
    MAX_GROUPS,
    MAX_PHRASE_WORDS,
    MAX_PHRASES,
    MAX_QUERY_CHARS,
    MAX_TERMS,
    Cut,
    parse,
)
from .results import find

logger = logging.getLogger(__name__)

PER_PAGE = 20
# The form's fields beside the query box, folded under "Filters" when results are shown.
FILTERS = ("sort", "year", "month", "kind", "date_from", "date_to", "has_comments")
MONTH_NAMES = dict(MONTHS)
# What the page says a search was cut to (search.query's caps).
LIMITS = {
    Cut.CHARS: MAX_QUERY_CHARS,
    Cut.TERMS: MAX_TERMS,
    Cut.PHRASES: MAX_PHRASES,
    Cut.PHRASE_WORDS: MAX_PHRASE_WORDS,
    Cut.GROUPS: MAX_GROUPS,
}


@dataclass(frozen=True, slots=True)
class Select:
    """A <select> of the form, written out by the page's own template."""

    name: str
    label: str
    options: SafeString


def _selects(form: Form) -> list[Select]:
    """The form's selects, their options written by `search.markup` (Django's widget
    templates cost more per option than a search does)."""
    return [
        Select(
            name,
            form.fields[name].label,
            markup.options(
                tuple((str(value), str(label)) for value, label in form.fields[name].choices),
                form.data.get(name) or "",
            ),
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
    context = {
        "form": form,
        "selects": _selects(form),
        "searched": False,
        "filters_in_use": sum(1 for name in FILTERS if request.GET.get(name)),
    }
    if not filterset.is_valid() or not filterset.form.cleaned_data["q"]:
        return render(request, "search/search.html", context)

    cleaned = filterset.form.cleaned_data
    query = parse(cleaned["q"])
    context.update(searched=True, query=query, limits=LIMITS)
    if not query:
        return render(request, "search/search.html", context)

    # Counted here, where the database work begins, so that every request that searches
    # (any method, any page or facet of a search, logged in or not) counts.
    refused = ratelimits.wait(request)
    if refused:
        context.update(rate_limited=refused[0], retry_after=refused[1])
        response = render(
            request, "search/search.html", context, status=HTTPStatus.TOO_MANY_REQUESTS
        )
        response["Retry-After"] = str(refused[1])
        return response

    started = time.monotonic()
    try:
        with time_budget():
            facets, results = find(backend_for(), query, cleaned["sort"], filterset)
            page = Paginator(results, PER_PAGE).get_page(request.GET.get("page"))
    except SearchTooBroad:
        ratelimits.took(request, time.monotonic() - started, stopped=True)
        # The words are the reader's: the log names the shape of the search, not its text.
        logger.warning(
            "search over its time budget: %d alternatives, %d terms, %d phrases",
            len(query.groups),
            sum(len(group) for group in query.groups),
            sum(t.is_phrase for group in query.groups for t in group),
        )
        context.update(too_broad=True, budget=settings.FORUM_SEARCH_BUDGET_MS)
        return render(request, "search/search.html", context)
    ratelimits.took(request, time.monotonic() - started, stopped=False)
    year, month = filterset.year_and_month()
    params = {key: value for key, value in request.GET.items() if key != "page" and value}
    context.update(
        page=page,
        result_items=markup.result_items(page),
        total=results.total,
        year_facets=markup.facet_items(
            (str(y), n, _link(params, year=y, month=None), y == year)
            for y, n in sorted(facets.years.items())
        ),
        month_facets=markup.facet_items(
            (MONTH_NAMES[m], n, _link(params, month=m), m == month)
            for m, n in sorted(facets.months.items())
        ),
        selected_year=year,
        selected_month=MONTH_NAMES.get(month) if month else None,
        any_year_link=_link(params, year=None, month=None),
        page_link=_link(params),
    )
    return render(request, "search/search.html", context)
