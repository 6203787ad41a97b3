"""A reader who comes back finds what is new across the site: the latest comments at
/comments/ and the threads with the newest comments at /active/, each with a feed."""

from __future__ import annotations

import datetime

import feedparser
import pytest
import time_machine
from django.test import Client

from forum.models import CommentStatus, RemovedBy
from forum.threads import set_status
from tests.factories import PostFactory, comment

pytestmark = pytest.mark.django_db


def html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def said(post, body: str, when: tuple, **fields):
    with time_machine.travel(datetime.datetime(*when, tzinfo=datetime.UTC), tick=False):
        return comment(post, body=body, **fields)


@pytest.fixture
def busy_site():
    """Two threads: 'Gate' has the newest comment; the held, spam and removed comments
    and a draft post's comment must show nowhere."""
    musings = PostFactory(date=datetime.date(2015, 2, 18), title="Musings")
    gate = PostFactory(date=datetime.date(2014, 5, 1), title="Gate")
    draft = PostFactory(date=datetime.date(2016, 1, 1), title="Draft", is_published=False)
    said(musings, "Morale is low in the office.", (2026, 12, 1, 9))
    said(gate, "The gate opened at last.", (2026, 12, 2, 9))
    said(musings, "Held for review words", (2026, 12, 3, 9), status=CommentStatus.PENDING)
    spam = said(musings, "Buy cheap spam words", (2026, 12, 3, 10))
    set_status(spam, CommentStatus.SPAM)
    removed = said(gate, "Removed rude words", (2026, 12, 3, 11))
    set_status(removed, CommentStatus.REMOVED, RemovedBy.MODERATOR)
    said(draft, "Draft thread words", (2026, 12, 3, 12))
    return musings, gate


HIDDEN = ("Held for review", "spam words", "Removed rude", "Draft")


def test_latest_comments_lists_public_comments_newest_first_with_links_and_snippets(
    client: Client, busy_site
):
    musings, gate = busy_site

    page = html(client, "/comments/")

    assert page.index("The gate opened at last.") < page.index("Morale is low in the office.")
    assert f'href="{gate.get_absolute_url()}?comment=1">Comment 1</a>' in page
    for words in HIDDEN:
        assert words not in page


def test_active_threads_lists_threads_by_their_newest_comment(client: Client, busy_site):
    musings, gate = busy_site
    said(musings, "Back on the musings.", (2026, 12, 4, 9))

    page = html(client, "/active/")

    assert page.index(">Musings<") < page.index(">Gate<")
    assert f'data-post="{musings.pk}" data-comments="2"' in page
    assert f'data-post="{gate.pk}" data-comments="1"' in page
    assert "Draft" not in page


def test_both_pages_are_in_the_navigation_and_paginated(client: Client, busy_site):
    musings, _ = busy_site
    for n in range(30):
        said(musings, f"Filler {n}", (2026, 12, 5, 9, n))

    home = html(client, "/")
    first, second = html(client, "/comments/"), html(client, "/comments/?page=2")

    assert 'href="/comments/"' in home and 'href="/active/"' in home
    assert "Filler 29" in first and "Filler 4<" not in first
    assert "Filler 4<" in second and "Morale is low" in second


def test_the_activity_feeds_carry_only_public_comments(client: Client, busy_site):
    musings, gate = busy_site

    comments = feedparser.parse(client.get("/comments/feed.atom").content)
    threads = feedparser.parse(client.get("/active/feed.atom").content)

    assert not comments.bozo and not threads.bozo
    assert [e.link for e in comments.entries] == [
        f"http://testserver{gate.get_absolute_url()}?comment=1",
        f"http://testserver{musings.get_absolute_url()}?comment=1",
    ]
    assert [e.title for e in threads.entries] == ["Gate", "Musings"]
    text = " ".join(e.summary for e in comments.entries)
    for words in HIDDEN:
        assert words not in text


def test_activity_pages_run_a_constant_number_of_queries(
    client: Client, busy_site, django_assert_max_num_queries
):
    musings, gate = busy_site
    for n in range(20):
        said(gate if n % 2 else musings, f"More {n}", (2026, 12, 5, 9, n))
    for url in ("/comments/", "/active/"):
        with django_assert_max_num_queries(4):
            html(client, url)


def test_without_javascript_nothing_is_marked_new_and_the_browser_gets_only_counts(
    client: Client, busy_site
):
    """'New since your last visit' is the browser's own (static/js/since.js): the server
    keeps no reading log and its pages say nothing is new, only what there is."""
    musings, gate = busy_site
    post_page = html(client, musings.get_absolute_url())
    home = html(client, "/")

    first, spam = musings.comments.get(path="1"), musings.comments.get(path="2")
    # Ids in page order, the spam comment's placeholder too; one published comment.
    assert (
        f'data-post="{musings.pk}" data-comments="1" data-pks="{first.pk},{spam.pk}"' in post_page
    )
    assert f'data-top="{first.pk}"' in post_page
    assert f'data-post="{musings.pk}" data-comments="1"' in home
    for page in (post_page, home):
        assert "since your last visit" not in page and "new-badge" not in page
