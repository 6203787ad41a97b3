"""Fixtures shared by the whole suite: factories, a fresh cache, and a real browser."""

import os
import shutil

import pytest
import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection

# Each run keeps its cache keys under its own prefix, set before the cache is first
# used: runs sharing one Redis database (parallel CI jobs, a developer's own site)
# never read or empty each other's keys.
RUN_PREFIX = f"test-{os.getpid()}"
settings.CACHES["default"]["KEY_PREFIX"] = RUN_PREFIX

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls
# from such a thread unless told it is safe (it is: the loop is not serving requests).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def empty_cache() -> None:
    """This run's cache emptied; with Redis, only this run's keys (clear() would
    empty the whole database)."""
    if not isinstance(caches["default"], RedisCache):
        cache.clear()
        return
    assert cache.key_prefix == RUN_PREFIX, "the cache was used before conftest set its prefix"
    with redis.Redis.from_url(settings.CACHES["default"]["LOCATION"]) as client:
        keys = list(client.scan_iter(match=f"{RUN_PREFIX}:*", count=1000))
        if keys:
            client.delete(*keys)


@pytest.fixture(autouse=True)
def queued_mail(settings):
    """Mail leaves through the outbox and the task worker, as in production (Django's test
    runner would swap in its in-memory backend); the worker delivers to that in-memory
    outbox (`mail.outbox`), so a test runs the worker (tests.tasks.run_tasks) to see it."""
    settings.EMAIL_BACKEND = "outbox.backends.QueuedEmailBackend"
    settings.OUTBOX_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Page and rate-limit caches must not leak from one test into the next."""
    empty_cache()
    yield
    empty_cache()


def pytest_collection_modifyitems(config, items):
    on_postgres = connection.vendor == "postgresql"
    for item in items:
        if "postgres_only" in item.keywords and not on_postgres:
            reason = "PostgreSQL behaviour; runs in the PostgreSQL pass"
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is missing and REQUIRE_BROWSER=1")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts_dir():
    """Where browser tests leave screenshots (kept after the run)."""
    path = os.path.join(os.path.dirname(__file__), "artifacts")
    os.makedirs(path, exist_ok=True)
    return path
