"""Compressed HTML, but only for pages that hold no secret (BREACH).

A 1,000-comment thread is about 830 KB of HTML and about 150 KB gzipped. But compressing
a page that holds a secret next to text an attacker chooses (a comment they wrote, the
search query in a link they sent) lets them recover the secret from the compressed
sizes of responses they make the victim's browser fetch: BREACH. On this site the
secrets are the CSRF token in every form and, for moderators, the accounts and
addresses behind anonymous comments; Django's per-response token masking and
GZipMiddleware's random padding (Heal the Breach) slow the attack down, they do not
protect the addresses.

So a response is compressed only when the request carries no session cookie (nobody
is logged in: the page is the same for every reader, as the page cache already
assumes), the page rendered no CSRF token and the response sets no cookie. That covers
what readers fetch most (home, archives, post pages, search, feeds) and leaves
logged-in pages and every form uncompressed. Anonymous pages from the page cache are
stored compressed once (forum.cache), so a cache hit costs no compression. A proxy in
front must not compress text/html again on its own (nginx: leave `gzip` off for
proxied HTML), or the logged-in pages lose this protection.
"""

from __future__ import annotations

import gzip
import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware

_ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def holds_no_secret(request: HttpRequest, response: HttpResponse) -> bool:
    """Nobody is logged in on this request, and its page rendered no CSRF token (once
    CsrfViewMiddleware has seen the response, a token shows as the cookie it sets)."""
    return (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def accepts_gzip(request: HttpRequest) -> bool:
    return bool(_ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def gzipped(content: bytes) -> bytes:
    """Django's own level (6); no timestamp, so the same page compresses the same."""
    return gzip.compress(content, compresslevel=6, mtime=0)


class PublicPageGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware, for responses that hold no secret only."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if not holds_no_secret(request, response):
            return response
        return super().process_response(request, response)
