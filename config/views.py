"""The project's error pages."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

RETRY_AFTER_SECONDS = 30


def server_error(request: HttpRequest) -> HttpResponse:
    """A 503 with Retry-After when the database does not answer (down, unreachable, out of
    connections, or a statement cut short), so readers, crawlers and load balancers know to
    come back; Django's 500 page for anything else. Like the 500 page, it is rendered
    without the request: nothing on it may touch the database."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return HttpResponse(
            render_to_string("503.html"),
            status=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return defaults.server_error(request)
