"""How often one client may search: django-ratelimit, counted in the cache per client
address (`settings.RATELIMIT_IP_META_KEY`: the address allauth's login limits see).

Two counts per client. Every search counts against FORUM_SEARCH_RATE. A slow search,
one that ran out of its time budget or used more than a quarter of it, also counts
against FORUM_SEARCH_SLOW_RATE: at 30 searches a minute of up to a second each, one
client could hold a worker for half of every minute. Eight clients repeating a hostile
search against 4 gunicorn workers made the home page wait 1.5 s (median) with the first
count alone, 0.5 s with both (9.3 s before any limit; README, "Search limits").
Readers' searches take 10 to 110 ms, far from slow.

Without its cache (Redis unreachable) the limit lets searches through and logs why: the
caps and the time budget still bound each one, and refusing every reader's search
would break the page the limit is there to keep up.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage
from redis import RedisError

logger = logging.getLogger(__name__)

# A search slower than this share of the budget counts as slow (250 ms by default: twice
# the slowest benchmark search on PostgreSQL, "probation", with the machine idle).
SLOW_SHARE = 0.25


def _rate(group: str, request: HttpRequest) -> str:
    """Read at request time so the rates follow the settings (and tests' overrides)."""
    return settings.FORUM_SEARCH_SLOW_RATE if group == "search.slow" else settings.FORUM_SEARCH_RATE


def _usage(request: HttpRequest, group: str, increment: bool) -> dict | None:
    """This client's count in `group`, or None when the cache cannot say."""
    try:
        usage = get_usage(request, group=group, key="ip", rate=_rate, increment=increment)
    except RedisError as error:
        logger.warning("search rate limit without its cache: %s", error)
        return None
    # django-ratelimit's answer when the cache stored nothing: limit 0, no time left.
    if usage and usage["limit"] == 0 and usage["time_left"] == -1:
        logger.warning("search rate limit without its cache: nothing counted")
        return None
    return usage


def wait(request: HttpRequest) -> tuple[str, int] | None:
    """Count a search by this request's client. None when it may run; else which count
    refuses it ("searches" or "slow searches") and the seconds until it may search again."""
    for group, count, increment in (
        ("search", "searches", True),
        ("search.slow", "slow searches", False),
    ):
        usage = _usage(request, group, increment)
        # Counting this search, django-ratelimit refuses the one past the rate; the slow
        # count is only read here, so the rate's last slow search is what refuses.
        if usage and (usage["should_limit"] or not increment and usage["count"] >= usage["limit"]):
            return count, max(usage["time_left"], 1)
    return None


def took(request: HttpRequest, seconds: float, stopped: bool) -> None:
    """Record how long this request's search took (`stopped`: over its budget)."""
    budget = settings.FORUM_SEARCH_BUDGET_MS / 1000
    if stopped or (budget > 0 and seconds > budget * SLOW_SHARE):
        _usage(request, "search.slow", increment=True)
