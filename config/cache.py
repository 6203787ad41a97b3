"""The shared cache: Django's Redis backend, made to fail soft.

A cache may lose what it holds at any moment, so nothing the forum keeps there is the
only copy: a page can be rendered again, rules and sessions read from the database,
a rate-limit count started anew. So when Redis is unreachable the site goes on
without it, slower, instead of answering 500. Django's own `RedisCache` raises
redis-py's errors (and waits 5 s for a server that accepts but never answers);
django-redis's IGNORE_EXCEPTIONS answers `add()` with None, which allauth reads as
"limit reached" (every login a 429); django-cache-fallback tries the dead server on
every call, logs a traceback each time and falls back to a second cache (a local one
would keep stale pages and rules per process). None fits, hence this subclass, which
keeps Django's `RedisCache` for the real work and only decides what a failure means:

- every call that fails is a miss: `get` gives the default, `get_many` nothing,
  `has_key` False, `incr` raises ValueError as for a missing key, writes do nothing;
- `add` answers True, as a lock or counter in a cache that forgot the key would: the
  rate limiters (allauth's and django-ratelimit's) let the request through instead
  of refusing every login;
- a failure opens a circuit breaker, shared by the process's threads: for
  RETRY_AFTER seconds the process does not call Redis at all, then one PING tries it
  again. A dead Redis costs a request nothing but the first try's short socket
  timeout (OPTIONS `socket_connect_timeout` / `socket_timeout`, seconds);
- one log line when an outage starts and one when it ends, per process, never one per
  call;
- when Redis answers again, `cache_reconnected` is sent before any other call goes
  through: what was written or deleted while it was away never reached it, so owners
  of keys whose stale value matters (the page cache's generation, the moderation
  rules) make them fresh again.
"""

from __future__ import annotations

import logging
import threading
import time
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.dispatch import Signal
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Sent (with `location`) when a cache that failed answers again: receivers refresh the
# keys whose writes may have been lost while it was away.
cache_reconnected = Signal()

_UNAVAILABLE = object()


class CircuitBreaker:
    """Whether a process should call the cache server now; shared by its threads (Django
    gives every thread its own cache object, so the state cannot live on it)."""

    def __init__(self, location: str, retry_after: float) -> None:
        self.location = location
        self.retry_after = retry_after
        self.down_since: float | None = None
        self._retry_at = 0.0
        self._lock = threading.Lock()

    def may_try(self) -> bool:
        """In an outage, True for one caller once RETRY_AFTER has passed (it probes the
        server); the others keep going without the cache meanwhile."""
        with self._lock:
            now = time.monotonic()
            if now < self._retry_at:
                return False
            self._retry_at = now + self.retry_after
            return True

    def trip(self, error: Exception) -> None:
        with self._lock:
            self._retry_at = time.monotonic() + self.retry_after
            if self.down_since is not None:
                logger.debug("cache %s still unreachable: %s", self.location, error)
                return
            self.down_since = time.monotonic()
        logger.error(
            "cache %s unreachable (%s: %s): pages, rate limits and rules go without it; "
            "next try in %s s",
            self.location,
            type(error).__name__,
            error,
            self.retry_after,
        )

    def reset(self) -> bool:
        """Closes the breaker; True for the one caller that ended the outage."""
        with self._lock:
            if self.down_since is None:
                return False
            outage = time.monotonic() - self.down_since
            self.down_since = None
        logger.warning("cache %s answers again after %.1f s", self.location, outage)
        return True


_breakers: dict[tuple[str, ...], CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def _describe(servers: list[str]) -> str:
    """Where the cache is, for the log, without the password a URL may carry."""
    parts = []
    for server in servers:
        url = urlsplit(server)
        where = url.path if url.scheme == "unix" else f"{url.hostname}:{url.port or 6379}"
        parts.append(f"{url.scheme}://{where}{'' if url.scheme == 'unix' else url.path}")
    return ",".join(parts)


class ResilientRedisCache(RedisCache):
    """Django's RedisCache whose failures are misses (see the module's docstring).

    OPTIONS: `RETRY_AFTER` (seconds without Redis after a failure, default 5) and
    anything redis-py's connection pool takes (`socket_connect_timeout`,
    `socket_timeout`, ...).
    """

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._options = dict(self._options)
        retry_after = float(self._options.pop("RETRY_AFTER", 5))
        servers = tuple(self._servers)
        with _breakers_lock:
            if servers not in _breakers:
                _breakers[servers] = CircuitBreaker(_describe(self._servers), retry_after)
            self._breaker = _breakers[servers]

    def _guarded(self, fallback, call, *args):
        breaker = self._breaker
        if breaker.down_since is not None and not self._probe():
            return fallback
        try:
            return call(*args)
        except RedisError as error:
            breaker.trip(error)
            return fallback

    def _probe(self) -> bool:
        """One PING once RETRY_AFTER has passed; on an answer, receivers of
        `cache_reconnected` run before the caller's own call goes through."""
        if not self._breaker.may_try():
            return False
        try:
            self._cache.get_client(None, write=True).ping()
        except RedisError as error:
            self._breaker.trip(error)
            return False
        if self._breaker.reset():
            cache_reconnected.send_robust(sender=type(self), location=self._breaker.location)
        return True

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._guarded(True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._guarded(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        self._guarded(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self._guarded(False, super().touch, key, timeout, version)

    def delete(self, key, version=None) -> bool:
        return self._guarded(False, super().delete, key, version)

    def get_many(self, keys, version=None) -> dict:
        return self._guarded({}, super().get_many, keys, version)

    def has_key(self, key, version=None) -> bool:
        return self._guarded(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None) -> int:
        value = self._guarded(_UNAVAILABLE, super().incr, key, delta, version)
        if value is _UNAVAILABLE:
            raise ValueError(f"Key '{key}' not found: the cache is unreachable.")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None) -> list:
        return self._guarded(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None) -> None:
        self._guarded(None, super().delete_many, keys, version)

    def clear(self) -> bool:
        return self._guarded(False, super().clear)
