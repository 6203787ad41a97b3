"""Redis refusing or hanging: readers, commenters and moderators get a slower site, never
a 500, and what changed while it was away is not undone when it comes back.

Real faults, on both engines: a cache URL on a closed port, one on a local server that
accepts and never answers, and a relay to the real Redis that is cut and restored.
"""

import logging

import pytest
import redis
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from forum.models import Comment, CommentStatus

from .conftest import RUN_PREFIX
from .factories import PostFactory, comment, moderator, verified_user
from .faults import Relay, SilentServer, closed_port

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
REDIS = ("127.0.0.1", 6379)
QUEUE = reverse("admin:forum_comment_changelist")


def redis_cache(port: int, *, retry_after: float = 30, db: int = 1) -> dict:
    """The production cache setting pointed at a port on this machine."""
    return {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/{db}",
            "KEY_PREFIX": f"{RUN_PREFIX}-faults",
            "OPTIONS": {
                "socket_connect_timeout": 0.25,
                "socket_timeout": 0.25,
                "RETRY_AFTER": retry_after,
            },
        }
    }


@pytest.fixture(params=["closed port", "silent server"])
def cache_down(request, settings):
    """The whole site's cache on a port that refuses, or on a server that never answers."""
    settings.FORUM_PAGE_CACHE_SECONDS = 60
    if request.param == "closed port":
        settings.CACHES = redis_cache(closed_port())
        yield
    else:
        with SilentServer() as server:
            settings.CACHES = redis_cache(server.port)
            yield


def cache_errors(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "config.cache" and r.levelno >= logging.ERROR]


def log_in(client, email: str, password: str = PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def submit(client, post, body: str):
    return client.post(
        reverse("forum:comment_create", args=[post.pk]), {"body": body, "anonymous": "on"}
    )


def test_reading_commenting_signing_up_logging_in_and_out_and_moderating_work_without_it(
    client, cache_down, caplog
):
    post = PostFactory()
    comment(post, body="Caseloads again.")
    reader = verified_user(email="jo@example.org")

    for _ in range(2):
        assert client.get("/").status_code == 200
        page = client.get(post.get_absolute_url())
        assert page.status_code == 200 and "Caseloads again." in page.content.decode()

    assert log_in(client, "jo@example.org").status_code == 302
    assert (
        client.get(reverse("accounts:profile")).status_code == 200
    )  # the session, from the database
    assert submit(client, post, "Said while the cache was down.").status_code == 302
    held = Comment.objects.get(body="Said while the cache was down.")
    assert held.author == reader and held.status == CommentStatus.PENDING
    assert client.post(reverse("account_logout")).status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 302  # logged out for good

    signup = {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD}
    assert client.post(reverse("account_signup"), signup).status_code == 302
    assert get_user_model().objects.filter(email="new@example.org").exists()

    client.force_login(moderator())
    assert client.get(QUEUE).status_code == 200
    publish = {"action": "publish", "_selected_action": [held.pk], "index": 0, "reason": ""}
    assert client.post(QUEUE, publish).status_code == 302
    assert Comment.objects.get(pk=held.pk).status == CommentStatus.PUBLISHED
    assert "Said while the cache was down." in client.get(post.get_absolute_url()).text

    assert len(cache_errors(caplog)) == 1  # one line for the outage, not one per call


def test_a_hung_cache_is_tried_once_per_retry_period_not_on_every_call(client, settings):
    settings.FORUM_PAGE_CACHE_SECONDS = 60
    post = PostFactory()
    with SilentServer() as server:
        settings.CACHES = redis_cache(server.port, retry_after=30)
        for _ in range(20):
            assert client.get(post.get_absolute_url()).status_code == 200

        assert server.accepted == 1  # the first call waited for it, every later one went on


# What each rate limit does without its cache: it lets every request through (the
# README's table). With the cache, test_accounts and test_commenting see them refuse.


@pytest.mark.parametrize("cache_down", ["closed port"], indirect=True)
def test_without_the_cache_allauths_limits_let_every_request_through(client, cache_down):
    verified_user(email="jo@example.org")

    signups = [
        client.post(
            reverse("account_signup"),
            {"email": f"bot{n}@example.org", "password1": PASSWORD, "password2": PASSWORD},
        ).status_code
        for n in range(6)
    ]
    client.logout()
    failed = [log_in(client, "jo@example.org", "guess").status_code for _ in range(6)]
    right = log_in(client, "jo@example.org")
    client.logout()
    resets = [
        client.post(reverse("account_reset_password"), {"email": "jo@example.org"}).status_code
        for _ in range(6)
    ]

    assert signups == [302] * 6  # 5/m/ip with the cache
    assert failed == [200] * 6 and right.status_code == 302  # locked after 5 with the cache
    assert resets == [302] * 6  # 5/m per address with the cache


@pytest.mark.parametrize("cache_down", ["closed port"], indirect=True)
def test_without_the_cache_the_comment_limit_lets_every_comment_through(
    client, cache_down, settings
):
    settings.FORUM_COMMENT_RATE = "5/m"
    post = PostFactory()
    client.force_login(moderator())

    statuses = [submit(client, post, f"Comment {n}").status_code for n in range(6)]

    assert statuses == [302] * 6  # the sixth is a 429 with the cache


# Coming back: a cache that missed writes must not serve what they replaced.


@pytest.fixture
def relayed_cache(settings):
    """The cache through a relay to the real Redis, cut and restored by the test."""
    try:
        redis.Redis(*REDIS, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    settings.FORUM_PAGE_CACHE_SECONDS = 60
    with Relay(REDIS) as relay:
        settings.CACHES = redis_cache(relay.port, retry_after=0)
        yield relay
    with redis.Redis(*REDIS, db=1) as client:
        keys = list(client.scan_iter(match=f"{RUN_PREFIX}-faults:*", count=1000))
        if keys:
            client.delete(*keys)


def test_a_comment_added_while_the_cache_was_down_is_on_the_page_when_it_returns(
    client, relayed_cache, caplog
):
    post = PostFactory()
    comment(post, body="Before the outage.")
    url = post.get_absolute_url()
    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url)["X-Page-Cache"] == "hit"

    relayed_cache.cut()
    comment(post, body="During the outage.")  # its generation bump never reaches Redis
    assert "During the outage." in client.get(url).text
    relayed_cache.restore()

    back = client.get(url)
    assert "During the outage." in back.text and back["X-Page-Cache"] == "miss"
    assert len(cache_errors(caplog)) == 1
    assert any("answers again" in r.getMessage() for r in caplog.records)


def test_a_reader_who_logs_out_while_the_cache_is_down_stays_logged_out(client, relayed_cache):
    verified_user(email="jo@example.org")
    assert log_in(client, "jo@example.org").status_code == 302
    session_cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value

    relayed_cache.cut()
    client.post(reverse("account_logout"))
    relayed_cache.restore()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = session_cookie  # a copied cookie

    assert client.get(reverse("accounts:profile")).status_code == 302
