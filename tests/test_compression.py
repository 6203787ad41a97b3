"""Compressed HTML only where no secret sits beside text a stranger chose (BREACH):
pages for readers who are not logged in and show no form token."""

import gzip

import pytest
from django.test import Client, override_settings

from .factories import PostFactory, comment, thread, verified_user

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


def body(response) -> bytes:
    if response.get("Content-Encoding") == "gzip":
        return gzip.decompress(response.content)
    return response.content


@pytest.fixture
def post():
    post = PostFactory()
    thread(post, {20: 2})
    return post


def test_an_anonymous_reader_gets_the_post_gzipped_from_the_page_and_its_cache(client, post):
    plain = client.get(post.get_absolute_url())
    first = client.get(post.get_absolute_url(), **GZIP)
    again = client.get(post.get_absolute_url(), **GZIP)

    assert "Content-Encoding" not in plain
    assert first["Content-Encoding"] == again["Content-Encoding"] == "gzip"
    assert again["X-Page-Cache"] == "hit"
    assert body(first) == body(again) == plain.content
    assert len(first.content) < len(plain.content) / 3
    assert int(again["Content-Length"]) == len(again.content)
    assert "Accept-Encoding" in again["Vary"]


@override_settings(FORUM_PAGE_CACHE_SECONDS=0)
def test_uncached_anonymous_pages_are_compressed_too(client, post):
    for url in (post.get_absolute_url(), "/search/?q=comment", "/feeds/posts/default"):
        response = client.get(url, **GZIP)
        assert response["Content-Encoding"] == "gzip", url
        assert "X-Page-Cache" not in response


def test_a_logged_in_readers_pages_are_never_compressed(client, post):
    reader = verified_user()
    comment(post, body="Mine", author=reader)
    client.force_login(reader)

    for url in (post.get_absolute_url(), "/profile/", "/"):
        assert "Content-Encoding" not in client.get(url, **GZIP), url


def test_a_page_with_a_form_token_is_not_compressed_even_for_a_stranger():
    client = Client()
    for url in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        response = client.get(url, **GZIP)
        assert b"csrfmiddlewaretoken" in response.content
        assert "Content-Encoding" not in response, url
