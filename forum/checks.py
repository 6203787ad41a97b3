"""System checks for how the forum is deployed."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import CheckMessage, Tags, Warning, register

# Caches whose contents one process alone sees.
PER_PROCESS = (LocMemCache, DummyCache)


@register(Tags.caches)
def shared_cache_in_production(**kwargs) -> list[CheckMessage]:
    """With several app servers, counts and pages kept per process are wrong in a quiet
    way: a limit multiplied by the number of processes, and a removed comment still shown
    by the processes that did not remove it. Development runs one process, so only a
    production setup (DEBUG off) is warned."""
    if settings.DEBUG or not isinstance(caches["default"], PER_PROCESS):
        return []
    return [
        Warning(
            "DEBUG is off but the cache is kept per process (CACHE_URL is not set): rate "
            "limits count each app server apart, and a page cached by one server is not "
            "emptied when another saves a change (stale for FORUM_PAGE_CACHE_SECONDS).",
            hint="Set CACHE_URL=redis://host:6379/0 so every app server shares one cache.",
            id="forum.W001",
        )
    ]
