"""Health endpoints for load balancers, orchestrators and the operator.

- `/healthz` (liveness): the process answers. It touches nothing, so a database outage
  never makes a supervisor restart healthy app servers.
- `/readyz` (readiness): the database answers, the cache stores and returns a value, the
  task queue's table can be read and no migration waits to be applied. 200 when all
  hold, 503 when one does not; the JSON body says which (by name and error type only:
  the details go to the log, never to the public).

Both are answered by HealthCheckMiddleware, near the top of MIDDLEWARE: before the host
check (a balancer probes by address, not by the site's name), the HTTPS redirect (it
probes over plain HTTP on the private side), sessions and the rate limits of the views.
Their responses are never cached.

django-health-check (4.8) was weighed and left out: its view answers 500, not 503, and
HTML unless asked for JSON; it runs each check in a thread of its own on a new database
connection; and what would remain of it here is two five-line checks.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"
# A task running this long was most likely left behind by a killed worker (django-tasks-db
# has no reaper): reported, not failed on, as it says nothing about this app server.
RUNNING_TOO_LONG = timedelta(minutes=15)

Check = Callable[[], dict]


def check_database() -> dict:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {}


def check_cache() -> dict:
    """A write and a read back: a cache that swallows its errors fails here too."""
    key, value = f"health:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    stored = cache.get(key)
    cache.delete(key)
    if stored != value:
        raise ConnectionError("the cache did not return the value just stored")
    return {}


def check_tasks() -> dict:
    """The queue is readable; how many tasks are due, the oldest's wait, and how many
    have been running suspiciously long (a worker killed mid-task leaves them RUNNING)."""
    now = timezone.now()
    due = DBTaskResult.objects.ready().order_by("enqueued_at")
    oldest = due.values_list("enqueued_at", flat=True).first()
    return {
        "waiting": due.count(),
        "oldest_waiting_seconds": round((now - oldest).total_seconds()) if oldest else 0,
        "running_too_long": DBTaskResult.objects.running()
        .filter(started_at__lt=now - RUNNING_TOO_LONG)
        .count(),
    }


_migrations_applied = False


def check_migrations() -> dict:
    """No migration of the running code waits to be applied. Once all are, the answer
    holds for this process's lifetime (only new code brings new migrations), so later
    probes skip loading the migration graph."""
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            raise LookupError(f"{len(plan)} unapplied migration(s)")
        _migrations_applied = True
    return {}


READINESS_CHECKS: dict[str, Check] = {
    "database": check_database,
    "cache": check_cache,
    "tasks": check_tasks,
    "migrations": check_migrations,
}


def run_check(name: str, check: Check) -> dict:
    began = time.perf_counter()
    try:
        result = {"ok": True, **check()}
    except Exception as error:  # any failure means "not ready": report it, never raise
        logger.warning("Readiness check %s failed: %s: %s", name, type(error).__name__, error)
        result = {"ok": False, "error": type(error).__name__}
    result["ms"] = round((time.perf_counter() - began) * 1000, 1)
    return result


def liveness(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


def readiness(request: HttpRequest) -> HttpResponse:
    checks = {name: run_check(name, check) for name, check in READINESS_CHECKS.items()}
    ready = all(result["ok"] for result in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
    )


ENDPOINTS = {LIVENESS_PATH: liveness, READINESS_PATH: readiness}


class HealthCheckMiddleware:
    """Answers GET/HEAD on the two health paths before anything else looks at the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        endpoint = ENDPOINTS.get(request.path_info.rstrip("/"))
        if endpoint is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        response = endpoint(request)
        add_never_cache_headers(response)
        return response
