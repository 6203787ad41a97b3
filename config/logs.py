"""Log lines an operator can follow: one line per event, each with its time (UTC, ISO
8601), level, logger and the id of the request it belongs to, as text or, with
LOG_FORMAT=json, as one JSON object per line.

The id comes from RequestIdMiddleware (nginx's `$request_id` when a trusted proxy sent
one) and stays bound until Django's `request_finished`, so the server's own lines about
the request (runserver's access line) carry it too. A task enqueued during the request
remembers it (config.tasks), and the worker binds it while the task runs. Lines outside
any request or task carry "-".

Every line, and every error report (config.errors), passes through `redact()`: no email
address is ever written, nor anything the request being served posted (a comment's text
quoted by an exception's message, say) of MIN_POSTED_LENGTH characters or more (shorter
ones, a checkbox's "on", would blank out ordinary words).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime

from django.http import HttpRequest
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

NO_REQUEST = "-"
_request_id: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)
_request: ContextVar[HttpRequest | None] = ContextVar("request", default=None)

# Good enough to catch an address anywhere in a line (a query string, a database
# error's DETAIL, an exception message); also matches the JSON-escaped form.
EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+")
REDACTED_EMAIL = "[email]"
MIN_POSTED_LENGTH = 6
REDACTED_POSTED = "[posted]"


def bind(request_id: str, request: HttpRequest | None = None) -> None:
    """Tag every following log line of this thread (or asyncio task) with `request_id`;
    `request`'s posted values are kept out of them."""
    _request_id.set(request_id)
    _request.set(request)


def unbind(**kwargs) -> None:
    """Back to "-" (a `request_finished` / `task_finished` receiver)."""
    _request_id.set(NO_REQUEST)
    _request.set(None)


def current_request_id() -> str:
    """The id of the request (or task) this code runs for, or "-"."""
    return _request_id.get()


def posted_values(request: object = None) -> list[str]:
    """What `request` (by default the one being served) posted that is long enough to
    redact, longest first."""
    request = request if isinstance(request, HttpRequest) else _request.get()
    if request is None or request.method != "POST":
        return []
    try:
        values = {value for _, items in request.POST.lists() for value in items}
    except Exception:  # an unreadable body: nothing of it can be echoed either
        return []
    return sorted((v for v in values if len(v.strip()) >= MIN_POSTED_LENGTH), key=len, reverse=True)


def redact(text: str, posted: Iterable[str] = ()) -> str:
    """`text` without email addresses and without the `posted` values (as they are, with
    the line breaks a browser sends, or as Python's repr() shows them)."""
    for value in posted:
        for form in {value, value.replace("\r\n", "\n")}:
            text = text.replace(form, REDACTED_POSTED).replace(repr(form)[1:-1], REDACTED_POSTED)
    return EMAIL.sub(REDACTED_EMAIL, text)


def _timestamp(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")


class TextFormatter(logging.Formatter):
    """`2026-11-30T09:12:03.512+00:00 WARNING django.request [3f2a...] Not Found: /x`"""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return _timestamp(record)

    def format(self, record: logging.LogRecord) -> str:
        record.request_id = getattr(record, "request_id", _request_id.get())
        return redact(super().format(record), posted_values(getattr(record, "request", None)))


class JsonFormatter(BaseJsonFormatter):
    """One JSON object per line: timestamp, level, logger, request_id, message, and the
    traceback as one string (`exc_info`) when there is one."""

    def __init__(self) -> None:
        super().__init__(
            ["levelname", "name", "request_id", "message"],
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp=True,
            # Django passes the request object (and runserver its socket) as `extra`:
            # its repr says nothing the line does not, and it is no JSON.
            reserved_attrs=[*RESERVED_ATTRS, "request", "server_time"],
        )

    def add_fields(self, log_data: dict, record: logging.LogRecord, message_dict: dict) -> None:
        record.request_id = getattr(record, "request_id", _request_id.get())
        super().add_fields(log_data, record, message_dict)
        log_data["timestamp"] = _timestamp(record)

    def jsonify_log_record(self, log_data: dict) -> str:
        posted = posted_values()
        private = {k: redact(v, posted) if isinstance(v, str) else v for k, v in log_data.items()}
        return super().jsonify_log_record(private)


def logging_config(log_format: str, level: str, mail_admins: bool) -> dict:
    """The LOGGING setting. Everything goes to one stream handler on the root logger;
    Django's own handlers (its console one, runserver's) are replaced rather than kept
    beside it, so no line is printed twice. With `mail_admins`, errors are mailed to
    ADMINS (without personal data, see config.errors) except the outbox's own, which
    could only fail in turn."""
    handlers: dict = {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": log_format,
        }
    }
    root_handlers = ["console"]
    if mail_admins:
        handlers["mail_admins"] = {
            "class": "config.errors.AdminEmailHandler",
            "formatter": "text",
            "level": "ERROR",
            "filters": ["require_debug_false", "not_outbox"],
        }
        root_handlers.append("mail_admins")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
            "not_outbox": {"()": "config.logs.ExcludeLoggers", "names": ["outbox"]},
        },
        "formatters": {
            "text": {"()": "config.logs.TextFormatter"},
            "json": {"()": "config.logs.JsonFormatter"},
        },
        "handlers": handlers,
        "root": {"handlers": root_handlers, "level": level},
        "loggers": {
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
            # dbbackup's commands add a stream handler of their own to this logger unless
            # it has one: it gets ours, and stops there.
            "dbbackup.command": {"handlers": root_handlers, "propagate": False},
        },
    }


class ExcludeLoggers(logging.Filter):
    """Drops the records of the named loggers (and their children)."""

    def __init__(self, names: list[str]) -> None:
        super().__init__()
        self.names = tuple(names)

    def filter(self, record: logging.LogRecord) -> bool:
        return not any(
            record.name == name or record.name.startswith(name + ".") for name in self.names
        )
