"""URLs of the site's own views, reversed once per process."""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, reverse


def cached_reverse(view_name: str, *args: object) -> str:
    """reverse() with positional arguments, remembered per process: reverse() costs
    50 to 100 us here, and a page names many links (every page's header and footer
    nine, a page of search results or a feed twenty posts)."""
    return _reversed(view_name, args, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=20_000)
def _reversed(view_name: str, args: tuple, script_prefix: str, urlconf: str | None) -> str:
    # Keyed on the script prefix and URLconf as well, which reverse() reads.
    return reverse(view_name, urlconf, args=args)
