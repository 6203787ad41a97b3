"""Error reports that carry no personal data: Sentry when SENTRY_DSN is set, mail to
ADMINS otherwise.

Readers write as "Anonymous" and trust the site with who they are: an error report must
never hold a comment's text or anyone's email address. So, in both channels:
- no request body (where comment text, addresses and passwords travel) and no local
  variables of the stack's frames (where the same values sit while a view runs);
- whatever the request posted, wherever it shows up again (an exception message that
  quotes the comment, say), replaced by `[posted]`, and every email address left
  anywhere (a query string, a database error's DETAIL line) by `[email]`, as in the
  logs (config.logs.redact);
- no cookies, no user identity, no client IP (Sentry's `send_default_pii` off).
A report keeps what finds the bug: the exception's type and the rest of its message, the
traceback's code lines, the path, the request id (config.logs), the release.
"""

from __future__ import annotations

from typing import Any

from django.utils.log import AdminEmailHandler as DjangoAdminEmailHandler
from django.views.debug import SafeExceptionReporterFilter

from .logs import current_request_id, posted_values, redact


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's error pages and mails (DEFAULT_EXCEPTION_REPORTER_FILTER): outside DEBUG,
    every POST value is hidden, not only the ones a view marked sensitive, and no frame's
    variables are shown."""

    def get_post_parameters(self, request):
        if request is None or not self.is_active(request):
            return super().get_post_parameters(request)
        return {key: self.cleansed_substitute for key in request.POST}

    def get_traceback_frame_variables(self, request, tb_frame):
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        return []


class AdminEmailHandler(DjangoAdminEmailHandler):
    """Django's mail to ADMINS, its subject and body made private. It is queued through
    the outbox like all mail (with fail_silently: a report that cannot be queued is
    dropped, never raised in its turn)."""

    def emit(self, record) -> None:
        self._posted = posted_values(getattr(record, "request", None))
        super().emit(record)

    def send_mail(self, subject: str, message: str, *args, **kwargs) -> None:
        posted = getattr(self, "_posted", [])
        if kwargs.get("html_message"):
            kwargs["html_message"] = redact(kwargs["html_message"], posted)
        super().send_mail(redact(subject, posted), redact(message, posted), *args, **kwargs)


def _private(value: Any, posted: list[str]) -> Any:
    if isinstance(value, str):
        return redact(value, posted)
    if isinstance(value, dict):
        return {key: _private(item, posted) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_private(item, posted) for item in value]
    return value


def scrub_event(event: dict, hint: dict) -> dict:
    """Sentry's before_send: drop the request's body and cookies, make every string
    private, tag the request id."""
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("data", None)
        request.pop("cookies", None)
        headers = request.get("headers") or {}
        for name in list(headers):
            if name.lower() in {"cookie", "authorization", "x-csrftoken"}:
                del headers[name]
    event = _private(event, posted_values())
    event.setdefault("tags", {})["request_id"] = current_request_id()
    return event


def scrub_breadcrumb(crumb: dict, hint: dict) -> dict:
    return _private(crumb, posted_values())


def init_sentry(dsn: str, environment: str, release: str, traces_sample_rate: float) -> None:
    """Sentry's SDK, set up once from settings when SENTRY_DSN is given."""
    import sentry_sdk

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        traces_sample_rate=traces_sample_rate,
    )
