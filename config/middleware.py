"""Middleware of the project itself (the apps bring their own)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .logs import bind

REQUEST_ID_HEADER = "X-Request-ID"
# nginx's $request_id is 32 hex digits; accept what a proxy may reasonably send, no more.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestIdMiddleware:
    """Give each request an id, bound to every log line written while it is served (until
    `request_finished`: see config.apps) and returned in the X-Request-ID header, so a
    reader's report can be matched to the logs. The request itself is remembered as long,
    so log lines and error reports can leave out what it posted.

    Behind a trusted proxy (TRUSTED_PROXY_COUNT > 0), the proxy's own id is kept, so
    nginx's access line and the app's lines share it; a client's header is never trusted
    otherwise (the deployed nginx overwrites it). First in MIDDLEWARE."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = self._request_id(request)
        bind(request.request_id, request)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request.request_id
        return response

    @staticmethod
    def _request_id(request: HttpRequest) -> str:
        sent = request.headers.get(REQUEST_ID_HEADER, "")
        if settings.ALLAUTH_TRUSTED_PROXY_COUNT > 0 and VALID_REQUEST_ID.fullmatch(sent):
            return sent
        return uuid.uuid4().hex
