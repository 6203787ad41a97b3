"""Every search's cost is bounded (issue 15), on both engines.

What one search may ask is capped and the reader told what was kept; a search that runs
past its time budget is stopped by the database and answered with a "too broad" page,
leaving the connection as it was; each client may run only so many searches a minute.
The slow searches here are real ones, over a thread of 2,000 comments, with a budget
of a millisecond.
"""

from __future__ import annotations

import socket
import time

import pytest
from django.db import OperationalError, connection, transaction
from django.test import override_settings

from search import ratelimits
from search.backends import backend_for
from search.budget import SearchTooBroad, time_budget
from search.filters import SearchFilterSet
from search.models import SearchDocument
from search.query import parse
from search.results import find
from tests.bulk import bulk_thread
from tests.factories import PostFactory, verified_user

URL = "/search/"
# Every bulk comment says "the view from the office": phrases holding "the" are checked
# against every row's text on PostgreSQL, and their words' positions on SQLite.
BROAD = '"the view" OR "from the" OR "the office" OR "view from"'
# A statement that takes well over a millisecond on either engine.
SLOW_STATEMENT = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) "
    "SELECT count(*) FROM n"
)


def text_of(response) -> str:
    return response.content.decode()


def office_thread() -> None:
    bulk_thread(PostFactory(title="The office", body="Nothing to see."), 2000)


def statement_timeout() -> str | None:
    """This connection's statement_timeout on PostgreSQL (None on SQLite)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return cursor.fetchone()[0]


def run_slow_statement() -> int:
    with connection.cursor() as cursor:
        cursor.execute(SLOW_STATEMENT)
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_search_of_sixteen_phrases_is_cut_answered_and_says_what_was_searched(client):
    PostFactory(title="Napo and the probation service", body="the probation service")
    phrases = " ".join(
        f'"the {word}"'
        for word in (
            "probation service napo staff crc managers court prison "
            "chief union grayling payback gate office view hands"
        ).split()
    )
    response = client.get(URL, {"q": phrases})
    assert response.status_code == 200
    html = text_of(response)
    assert "only part of it was used" in html
    assert "its first 4 quoted phrases" in html
    assert (
        'Searched for: <strong class="search-kept">'
        "&quot;the probation&quot; &quot;the service&quot; &quot;the napo&quot; "
        "&quot;the staff&quot;</strong>" in html
    )
    assert 'class="search-total"' in html


@pytest.mark.django_db
def test_a_search_within_the_caps_says_nothing_of_them(client):
    PostFactory(title="Through the gate", body="through the gate")
    html = text_of(client.get(URL, {"q": '"through the gate" OR napo'}))
    assert "only part of it was used" not in html
    assert "1 result." in html


@pytest.mark.django_db(transaction=True)
def test_a_search_over_its_budget_gets_the_too_broad_page_and_the_next_one_works(client):
    """Outside any transaction, as a request runs: the budget is the search's own."""
    office_thread()
    default = statement_timeout()
    with override_settings(FORUM_SEARCH_BUDGET_MS=1):
        response = client.get(URL, {"q": BROAD})
    assert response.status_code == 200
    html = text_of(response)
    assert "This search is too broad to finish in time" in html
    assert "choose a year" in html
    assert 'class="search-total"' not in html
    assert f'value="{BROAD.replace(chr(34), "&quot;")}"' in html  # the form keeps it

    # The same connection: no aborted transaction, no timeout or handler left behind.
    assert statement_timeout() == default
    assert run_slow_statement() == 300000
    html = text_of(client.get(URL, {"q": BROAD}))
    assert "2001 results." in html  # the comments and the post "The office"
    assert statement_timeout() == default  # a search that ends well leaves none either


@pytest.mark.django_db
def test_a_budget_inside_a_callers_transaction_leaves_its_setting_as_it_was():
    office_thread()
    filterset = SearchFilterSet({}, queryset=SearchDocument.objects.all())
    assert filterset.is_valid()
    before = statement_timeout()
    with pytest.raises(SearchTooBroad) as stopped:
        with time_budget(milliseconds=1):
            find(backend_for(), parse(BROAD), "relevance", filterset)[1][0:20]
    assert isinstance(stopped.value.__cause__, OperationalError)  # the database stopped it
    assert statement_timeout() == before
    with time_budget(milliseconds=60_000):
        facets, results = find(backend_for(), parse(BROAD), "relevance", filterset)
        assert len(results[0:20]) == 20
    assert statement_timeout() == before
    assert run_slow_statement() == 300000
    assert transaction.get_connection().in_atomic_block  # still the caller's transaction


@pytest.mark.django_db
@pytest.mark.postgres_only
def test_the_budget_bounds_the_search_not_each_statement():
    """Two statements of 0.3 s each, under a budget of 0.5 s: the second is cancelled
    when what is left of the budget runs out."""
    started = time.monotonic()
    with pytest.raises(SearchTooBroad):
        with time_budget(milliseconds=500):
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_sleep(0.3)")
                cursor.execute("SELECT pg_sleep(0.3)")
    assert time.monotonic() - started < 0.6
    with time_budget(milliseconds=500):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.2)")
            cursor.execute("SELECT pg_sleep(0.2)")


@pytest.mark.django_db
def test_a_database_error_that_is_not_the_budget_stays_an_error():
    with pytest.raises(Exception) as raised:
        with time_budget(milliseconds=60_000):
            with connection.cursor() as cursor:
                cursor.execute("SELECT * FROM no_such_table")
    assert not isinstance(raised.value, SearchTooBroad)


@pytest.mark.django_db
@override_settings(FORUM_SEARCH_RATE="3/m")
def test_a_client_past_the_search_rate_gets_a_429_and_another_client_does_not(client):
    PostFactory(title="Napo news", body="napo")
    for _ in range(3):
        assert client.get(URL, {"q": "napo"}, REMOTE_ADDR="192.0.2.1").status_code == 200
    response = client.get(URL, {"q": "napo"}, REMOTE_ADDR="192.0.2.1")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    html = text_of(response)
    assert "You have searched many times in a short while" in html
    assert 'name="q"' in html and 'value="napo"' in html
    assert 'class="search-total"' not in html

    assert client.get(URL, {"q": "napo"}, REMOTE_ADDR="192.0.2.2").status_code == 200
    # The form alone searches nothing, so it is never refused.
    assert client.get(URL, REMOTE_ADDR="192.0.2.1").status_code == 200


@pytest.mark.django_db
@override_settings(FORUM_SEARCH_RATE="3/m")
def test_every_kind_of_search_request_counts(client):
    """Other pages and facets of a search, HEAD, a logged-in reader: all searches."""
    PostFactory(title="Napo news", body="napo")
    client.force_login(verified_user())
    address = {"REMOTE_ADDR": "192.0.2.7"}
    assert client.get(URL, {"q": "napo", "page": "2"}, **address).status_code == 200
    assert client.head(URL, {"q": "napo"}, **address).status_code == 200
    assert client.get(URL, {"q": "napo", "year": "2015"}, **address).status_code == 200
    assert client.get(URL, {"q": "napo", "sort": "newest"}, **address).status_code == 429


@pytest.mark.django_db
@override_settings(FORUM_SEARCH_RATE="2/m", ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_client_is_the_address_the_proxy_saw(client):
    """The proxy appends the address it saw; whatever a client puts before it is
    not believed, so a client cannot become someone new by sending the header."""
    PostFactory(title="Napo news", body="napo")
    proxy = {"REMOTE_ADDR": "10.0.0.1"}

    def search_as(forwarded: str) -> int:
        return client.get(URL, {"q": "napo"}, HTTP_X_FORWARDED_FOR=forwarded, **proxy).status_code

    assert search_as("198.51.100.1") == 200
    assert search_as("203.0.113.9, 198.51.100.1") == 200
    assert search_as("203.0.113.10, 198.51.100.1") == 429
    assert search_as("198.51.100.2") == 200


@pytest.mark.django_db
@override_settings(FORUM_SEARCH_SLOW_RATE="2/m", FORUM_SEARCH_BUDGET_MS=1)
def test_a_client_whose_searches_run_out_of_time_waits_sooner(client):
    office_thread()
    slow = {"REMOTE_ADDR": "192.0.2.3"}
    for _ in range(2):
        assert "too broad" in text_of(client.get(URL, {"q": BROAD}, **slow))
    response = client.get(URL, {"q": "office"}, **slow)  # even a quick one, for a while
    assert response.status_code == 429
    assert "Your last searches were slow ones" in text_of(response)
    assert int(response["Retry-After"]) >= 1
    assert "too broad" in text_of(client.get(URL, {"q": BROAD}, REMOTE_ADDR="192.0.2.4"))


@pytest.mark.django_db
@override_settings(FORUM_SEARCH_SLOW_RATE="1/m")
def test_quick_searches_are_not_slow_ones(client):
    PostFactory(title="Napo news", body="napo")
    for _ in range(4):
        assert client.get(URL, {"q": "napo"}, REMOTE_ADDR="192.0.2.5").status_code == 200


@pytest.mark.django_db
def test_without_its_cache_the_search_rate_lets_searches_through(rf, caplog):
    """A Redis that is not there (a port nobody listens on): searches are not refused."""
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    broken = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    with override_settings(CACHES=broken, FORUM_SEARCH_RATE="1/m"):
        for _ in range(3):
            assert ratelimits.wait(rf.get(URL, {"q": "napo"})) is None
        ratelimits.took(rf.get(URL, {"q": "napo"}), 5.0, stopped=True)
    assert "search rate limit without its cache" in caplog.text
