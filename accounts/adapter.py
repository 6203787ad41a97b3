"""allauth's adapter with one change: failed logins are counted per (client address,
account), so nobody can lock a member out by typing wrong passwords for their address."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal.ratelimit import truncate_ip
from django.http import HttpRequest

from config.clients import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """The "key" of ACCOUNT_RATE_LIMITS["login_failed"]: allauth's is the address
        typed in alone, so five wrong passwords from anywhere blocked the right one from
        everywhere. With the client's address in it (IPv6 by its /64, like the per-ip
        limits), the limit stops a guesser where they are while the owner, on their own
        connection, still gets in. The key is hashed before it reaches the cache."""
        login = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{login}:{truncate_ip(client_ip(request))}"
