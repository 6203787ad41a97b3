"""The /search/ page as readers use it, on both engines."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from forum.models import CommentStatus
from forum.threads import set_status
from tests.factories import PostFactory, comment

pytestmark = pytest.mark.django_db

URL = "/search/"


def text_of(response) -> str:
    return response.content.decode()


def test_the_search_url_is_named_and_an_empty_form_is_not_an_error(client):
    assert reverse("search:search") == URL
    response = client.get(URL)
    assert response.status_code == 200
    assert 'name="q"' in text_of(response)
    assert "search-total" not in text_of(response)


def test_search_pages_ask_robots_not_to_index_them(client):
    for query in ({}, {"q": "probation"}):
        assert '<meta name="robots" content="noindex">' in text_of(client.get(URL, query))


def test_a_comment_result_names_its_post_and_number_and_links_to_its_anchor(client):
    post = PostFactory(title="A PO's Musings", date=datetime.date(2015, 2, 18))
    parent = comment(post, body="removed later")
    reply = comment(post, parent, body="Revealed: £56m wasted on getting rid of prison staff")
    set_status(parent, CommentStatus.REMOVED)

    html = text_of(client.get(URL, {"q": '"getting rid of prison staff"'}))
    assert f'href="{post.get_absolute_url()}#c1-1"' in html
    assert reply.get_absolute_url().endswith("#c1-1")
    assert "Comment 1.1 on “A PO&#x27;s Musings”" in html
    assert "<mark>" in html
    assert "1 result." in html


def test_snippets_escape_what_readers_wrote_and_only_add_highlights(client):
    post = PostFactory(title="Scripts")
    comment(post, body='<script>alert("x")</script> and <b>bold</b> gateway talk')
    html = text_of(client.get(URL, {"q": "gateway"}))
    assert "<script>alert" not in html
    assert "<b>bold" not in html
    assert "<mark>gateway</mark>" in html


def test_facets_link_to_each_year_then_to_months_within_it(client):
    for day in [(2014, 5, 1), (2015, 3, 1), (2015, 7, 1)]:
        PostFactory(title=f"Napo {day[0]}-{day[1]}", body="napo", date=datetime.date(*day))
    html = text_of(client.get(URL, {"q": "napo"}))
    assert '<a href="?q=napo&amp;year=2014">2014</a> (1)' in html
    assert '<a href="?q=napo&amp;year=2015">2015</a> (2)' in html
    assert "3 results." in html

    html = text_of(client.get(URL, {"q": "napo", "year": "2015"}))
    assert "2 results in 2015." in html
    assert '<a href="?q=napo&amp;year=2015&amp;month=3">March</a> (1)' in html
    assert '<a href="?q=napo&amp;year=2014">2014</a> (1)' in html
    assert '<a href="?q=napo">any year</a>' in html

    html = text_of(client.get(URL, {"q": "napo", "year": "2015", "month": "7"}))
    assert "1 result in July 2015." in html
    assert '<a href="?q=napo">any year</a>' in html
    assert "Napo 2015-7" in html
    assert "Napo 2015-3" not in html


def test_results_are_paged_and_pages_keep_the_query(client, django_assert_max_num_queries):
    post = PostFactory(title="Busy thread", body="quiet")
    for n in range(25):
        comment(post, body=f"omnishambles number {n}")
    with django_assert_max_num_queries(8):
        first = text_of(client.get(URL, {"q": "omnishambles", "sort": "oldest"}))
    assert "25 results." in first
    assert first.count('class="search-result ') == 20
    assert 'href="?q=omnishambles&amp;sort=oldest&amp;page=2"' in first
    second = text_of(client.get(URL, {"q": "omnishambles", "sort": "oldest", "page": "2"}))
    assert second.count('class="search-result ') == 5
    assert "omnishambles</mark> number 24" in second


def test_the_form_shows_the_choices_the_reader_made(client):
    PostFactory(title="Napo news", body="napo", date=datetime.date(2015, 3, 1))
    html = text_of(client.get(URL, {"q": "napo", "year": "2015", "sort": "newest"}))
    assert '<option value="2015" selected>2015</option>' in html
    assert '<option value="newest" selected>Newest first</option>' in html
    assert '<option value="relevance">Relevance</option>' in html


def test_a_month_without_a_year_asks_for_the_year(client):
    html = text_of(client.get(URL, {"q": "napo", "month": "3"}))
    assert "Choose a year as well: a month is searched within a year." in html
    assert "search-total" not in html


def test_a_search_with_nothing_to_look_for_says_so(client):
    html = text_of(client.get(URL, {"q": "-probation"}))
    assert "There is no word to search for in that" in html


def test_a_bad_filter_value_is_a_message_not_an_error(client):
    response = client.get(URL, {"q": "gate", "year": "1066", "date_from": "yesterday"})
    assert response.status_code == 200
    assert "Select a valid choice" in text_of(response)
    assert "Enter a valid date" in text_of(response)


@pytest.mark.parametrize(
    "dates",
    [
        {"date_from": "2030-01-01"},
        {"date_to": "1999-12-31"},
        {"date_from": "2030-01-01", "year": "2015"},
        {"date_from": "2016-01-01", "date_to": "2015-01-01"},
    ],
)
def test_dates_outside_the_archive_find_nothing_and_say_so(client, dates):
    comment(PostFactory(title="Through the Gate", date=datetime.date(2015, 2, 18)), body="gate")
    for sort in ("relevance", "newest"):
        response = client.get(URL, {"q": "gate", "sort": sort, **dates})
        assert response.status_code == 200
        assert "0 results" in text_of(response)


@pytest.mark.parametrize(
    "text",
    [
        '"unbalanced quote',
        'gate "',
        "-",
        "OR",
        "gate OR",
        "- OR -",
        "a" * 10_000,
        "gate " * 2_000,
        "x' OR 1=1; DROP TABLE forum_comment; --",
        "%' UNION SELECT password FROM accounts_user --",
        "NEAR(gate prison, 2) title:gate gat* ^gate {body}: gate",
        "gate\x00prison",
        "\x00",
        "😀 ∑ ©",
    ],
)
def test_malformed_queries_get_a_page_never_a_server_error(client, text):
    comment(PostFactory(title="Through the Gate", body="gate prison"), body="gate prison")
    response = client.get(URL, {"q": text})
    assert response.status_code == 200
    html = text_of(response)
    assert 'class="search-total"' in html or 'class="message' in html


def test_a_comment_written_today_on_an_old_post_is_listed_first_under_todays_date(client):
    """Issue 19: it was dated 23 November 2013, its post's date."""
    old = PostFactory(title="Old thread", date=datetime.date(2013, 11, 23), body="napo")
    PostFactory(title="Newer thread", date=datetime.date(2020, 5, 1), body="napo")
    with time_machine.travel(datetime.datetime(2026, 12, 6, 18, tzinfo=datetime.UTC)):
        comment(old, body="napo again")

    html = text_of(client.get(URL, {"q": "napo", "sort": "newest", "year": "2026"}))
    newest = text_of(client.get(URL, {"q": "napo", "sort": "newest"}))

    assert "Comment 1 on “Old thread”" in html and "6 December 2026" in html
    assert "Newer thread" not in html
    assert newest.index("6 December 2026") < newest.index("1 May 2020")
