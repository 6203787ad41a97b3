"""The anonymous page cache: a news-day spike of readers is served from the cache.

Only anonymous GET/HEAD requests are cached, never a logged-in reader's page (it shows
their pending comments and controls) nor a page with messages waiting, nor a response that
sets a cookie (a CSRF token must never be shared between readers). Keys hold the page's
URL and a generation number that every post or comment save bumps, so a reader who
just saw a change never gets the page from before it; the TTL
(`FORUM_PAGE_CACHE_SECONDS`) bounds staleness from bulk writers that send no signals
(the importer's raw inserts, `QuerySet.update()`).

Of the query string a key holds only the parameters the view declares it reads, in the
form its own links write them (`?page=2`): `?utm=...` or `?fbclid=...` neither render
the page again nor add an entry, whatever their number. A read parameter in another
form (`?page=02`) is rendered but not kept, so no query string adds entries without end.

With the cache unreachable (`config.cache`) every page is a miss, rendered as if the
cache were off; when it answers again the generation moves on, as a change saved
meanwhile could not bump it.

A page is stored with its gzipped bytes too (see forum.compression: such a page holds
no secret), so a hit is never compressed again.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from config.cache import cache_reconnected

from .compression import accepts_gzip, gzipped

GENERATION_KEY = "forum:pages:generation"
# A page number as the pagination links write it.
PAGE_NUMBER = r"[1-9][0-9]{0,8}"


def invalidate_pages() -> None:
    """Make every cached page stale at once (called when a post or comment changes).

    Bumped now and again when the transaction commits: a reader whose request runs
    between the change and the commit renders the old state and caches it under the new
    generation; the second bump discards that page instead of serving it for the TTL.
    """
    _next_generation()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_next_generation)


def _next_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, timeout=None)


def connect_signals() -> None:
    """Every save or delete of a post or comment through the ORM makes cached pages stale."""
    from django.db.models.signals import post_delete, post_save

    from .models import Comment, Post

    for model in (Post, Comment):
        post_save.connect(
            _on_change, sender=model, dispatch_uid=f"page-cache-save-{model.__name__}"
        )
        post_delete.connect(
            _on_change, sender=model, dispatch_uid=f"page-cache-del-{model.__name__}"
        )
    cache_reconnected.connect(_on_reconnect, dispatch_uid="page-cache-reconnected")


def _on_change(**kwargs) -> None:
    invalidate_pages()


def _on_reconnect(**kwargs) -> None:
    """Changes saved while the cache was unreachable could not bump the generation, so
    pages cached before the outage must not come back with it."""
    _next_generation()


def _cacheable(request: HttpRequest) -> bool:
    if settings.FORUM_PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return False
    if request.user.is_authenticated:
        return False
    return len(get_messages(request)) == 0


def cache_anonymous_page(
    *, reads: Mapping[str, str], uncached: Iterable[str] = ()
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Serve anonymous readers a rendered copy of the page for FORUM_PAGE_CACHE_SECONDS.

    `reads` maps each query parameter the view reads to the pattern of the values a copy
    is kept for; other parameters are ignored. A request carrying a parameter of
    `uncached` (one the view redirects for) goes straight to the view.
    """
    patterns = {name: re.compile(pattern) for name, pattern in reads.items()}
    bypass = frozenset(uncached)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _cacheable(request):
                return view(request, *args, **kwargs)
            query = _read_query(request, patterns, bypass)
            if query is None:
                return view(request, *args, **kwargs)
            generation = cache.get_or_set(GENERATION_KEY, 1, timeout=None)
            url = f"{request.scheme}://{request.get_host()}{request.path}{query}"
            key = f"forum:page:v2:{generation}:{hashlib.sha256(url.encode()).hexdigest()}"
            cached = cache.get(key)
            if cached is not None:
                content_type, content, compressed = cached
                response = HttpResponse(content, content_type=content_type)
                response["X-Page-Cache"] = "hit"
                return _served(request, response, compressed)
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            # A page that used a CSRF token or sets a cookie belongs to this reader alone.
            personal = response.cookies or request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            if response.status_code == 200 and not personal:
                compressed = gzipped(response.content)
                entry = (response["Content-Type"], response.content, compressed)
                cache.set(key, entry, settings.FORUM_PAGE_CACHE_SECONDS)
                response["X-Page-Cache"] = "miss"
                return _served(request, response, compressed)
            return response

        return wrapper

    return decorator


def _served(request: HttpRequest, response: HttpResponse, compressed: bytes) -> HttpResponse:
    """The page as stored, gzipped for a client that accepts it."""
    patch_vary_headers(response, ("Accept-Encoding",))
    if accepts_gzip(request):
        response.content = compressed
        response["Content-Encoding"] = "gzip"
        response["Content-Length"] = str(len(compressed))
    return response


def _read_query(
    request: HttpRequest, patterns: Mapping[str, re.Pattern], bypass: frozenset[str]
) -> str | None:
    """The part of the query string the page depends on ("" or "?page=2"), or None when
    the request must not come from the cache nor go into it."""
    if not request.META.get("QUERY_STRING"):
        return ""
    kept = []
    for name, values in request.GET.lists():
        if name in bypass:
            return None
        pattern = patterns.get(name)
        if pattern is None:
            continue
        if len(values) != 1 or not pattern.fullmatch(values[0]):
            return None
        kept.append((name, values[0]))
    return "?" + urlencode(sorted(kept)) if kept else ""
