"""A thread too long to scroll comes in pages of top-level comments, each with all its
replies, and a comment's link finds it on whichever page it is. Runs on both engines."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from forum.models import Comment, CommentStatus, Post
from forum.threads import set_status
from tests.bulk import bulk_thread
from tests.factories import PostFactory, comment, moderator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pages_of_three(settings):
    settings.FORUM_THREAD_PAGE_SIZE = 3


def long_thread() -> Post:
    """Seven top-level comments; 2 and 5 have two replies each."""
    post = PostFactory(date=datetime.date(2015, 2, 18), title="A PO's Musings")
    for n in range(1, 8):
        top = comment(post, body=f"Comment {n}")
        if n in (2, 5):
            comment(post, top, body=f"Reply {n}.1")
            comment(post, top, body=f"Reply {n}.2")
    return post


def numbers(client: Client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return re.findall(r'class="comment__number">([0-9.]+?)\.?<', response.content.decode())


def test_a_long_thread_pages_by_top_level_comment_and_replies_stay_with_their_parent(
    client: Client,
):
    post = long_thread()
    url = post.get_absolute_url()

    assert numbers(client, url) == ["1", "2", "2.1", "2.2", "3"]
    assert numbers(client, url + "?page=2") == ["4", "5", "5.1", "5.2", "6"]
    assert numbers(client, url + "?page=3") == ["7"]
    assert client.get(url + "?page=4").status_code == 404


def test_show_all_puts_the_whole_thread_on_one_page(client: Client):
    post = long_thread()
    url = post.get_absolute_url()

    first = client.get(url).content.decode()
    assert "Comments page 1 of 3" in first
    assert 'href="?page=all"' in first
    assert len(numbers(client, url + "?page=all")) == 11


def test_a_short_thread_has_no_pages(client: Client, settings):
    settings.FORUM_THREAD_PAGE_SIZE = 200
    post = long_thread()
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Comments page" not in page
    assert client.get(post.get_absolute_url() + "?page=2").status_code == 404


@pytest.mark.parametrize(
    "path,target",
    [
        ("1", "#c1"),
        ("2.2", "#c2-2"),
        ("4", "?page=2#c4"),
        ("5.1", "?page=2#c5-1"),
        ("7", "?page=3#c7"),
    ],
)
def test_a_comment_link_redirects_to_the_page_that_holds_it(client: Client, path, target):
    post = long_thread()
    url = post.get_absolute_url()

    response = client.get(f"{url}?comment={path}")

    assert response.status_code == 302
    assert response["Location"] == url + target


def test_a_link_to_a_missing_comment_goes_to_the_post(client: Client):
    post = long_thread()
    url = post.get_absolute_url()
    assert client.get(f"{url}?comment=99")["Location"] == url


def test_a_removed_comment_keeps_its_place_and_its_link(client: Client):
    post = long_thread()
    set_status(Comment.objects.get(post=post, path="4"), CommentStatus.REMOVED)
    url = post.get_absolute_url()
    assert client.get(f"{url}?comment=5")["Location"] == url + "?page=2#c5"
    assert numbers(client, url + "?page=2") == ["4", "5", "5.1", "5.2", "6"]


def test_an_old_blogger_show_comment_link_finds_the_page_of_its_comment(client: Client):
    post = long_thread()
    target = Comment.objects.get(post=post, path="6")
    stamp = int(target.created_at.timestamp() * 1000)
    Comment.objects.filter(pk=target.pk).update(
        created_at=datetime.datetime.fromtimestamp(stamp / 1000, tz=datetime.UTC)
    )
    url = post.get_absolute_url()

    response = client.get(f"{url}?showComment={stamp}")

    assert response["Location"] == url + "?page=2#c6"


def test_a_citation_of_a_comment_on_another_page_links_through_its_comment_link(
    client: Client,
):
    post = long_thread()
    comment(post, body=">>1 and >>7 both")  # comment 8, on page 3 with 7
    url = post.get_absolute_url()

    last = client.get(url + "?page=3").content.decode()
    first = client.get(url).content.decode()

    assert f'href="{url}?comment=1" data-cite="1"' in last
    assert 'href="#c7" data-cite="7"' in last
    assert f'cited by <a href="{url}?comment=8">8</a>' in first


def test_each_page_of_a_long_thread_is_cached_apart_and_comment_links_never(
    client: Client, settings
):
    settings.FORUM_PAGE_CACHE_SECONDS = 60
    post = long_thread()
    url = post.get_absolute_url()

    assert client.get(url)["X-Page-Cache"] == "miss"
    assert client.get(url + "?page=2")["X-Page-Cache"] == "miss"
    assert client.get(url + "?page=2")["X-Page-Cache"] == "hit"
    assert numbers(client, url + "?page=2")[0] == "4"
    assert "X-Page-Cache" not in client.get(f"{url}?comment=4")


def test_a_paged_thread_runs_a_constant_number_of_queries(
    client: Client, django_assert_max_num_queries, settings
):
    settings.FORUM_THREAD_PAGE_SIZE = 200
    post = PostFactory(date=datetime.date(2015, 2, 18))
    bulk_thread(post, 450, 1)
    url = post.get_absolute_url()

    for query in ("", "?page=2", "?page=3", "?page=all"):
        with django_assert_max_num_queries(4):
            client.get(url + query)
    assert len(numbers(client, url + "?page=3")) == 100


def test_a_moderator_posting_in_a_long_thread_lands_on_the_last_page_at_the_new_comment(
    client: Client,
):
    post = long_thread()
    client.force_login(moderator())
    response = client.post(
        reverse("forum:comment_create", args=[post.pk]), {"body": "Late words.", "anonymous": "on"}
    )
    assert response["Location"] == post.get_absolute_url() + "?page=3#c8"
    assert numbers(client, post.get_absolute_url() + "?page=3") == ["7", "8"]
