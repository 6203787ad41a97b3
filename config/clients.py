"""Who the client is, for the site's rate limits: one answer for all of them."""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address as allauth's login and sign-up limits see it: REMOTE_ADDR, or
    behind TRUSTED_PROXY_COUNT proxies the address the outermost of them saw (a client
    cannot choose it by sending its own X-Forwarded-For)."""
    return get_adapter(request).get_client_ip(request)
