"""A reader comes back to a thread in a real browser: what is new since the last visit is
marked (remembered by the browser alone), and a cited number previews its comment."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from forum.models import Post
from tests.bulk import bulk_thread
from tests.factories import PostFactory, comment

pytestmark = pytest.mark.django_db(transaction=True)


def busy_thread() -> Post:
    """Twelve comments with a reply each, and comment 13 answering 12.1 by its number."""
    post = PostFactory(date=datetime.date(2015, 2, 18), title="A PO's Musings")
    bulk_thread(post, 12, 1)
    comment(post, body=">>12.1 is exactly what happened in our office.")
    return post


def test_a_returning_reader_sees_what_is_new_and_jumps_to_it(live_server, page):
    post = busy_thread()
    url = live_server.url + post.get_absolute_url()

    page.goto(url)
    expect(page.locator(".comments__new")).to_have_count(0)  # a first visit: nothing is new
    comment(post, body="A new voice joins the thread.")  # published while the reader is away

    page.goto(live_server.url + "/")
    expect(page.locator(f'[data-post="{post.pk}"] .new-badge')).to_have_text("1 new")
    page.goto(url)
    line = page.get_by_role("link", name="1 new since your last visit")
    expect(line).to_be_visible()
    expect(page.locator("#c14 .comment__new")).to_have_text("new")
    expect(page.locator(".comment__new")).to_have_count(1)
    line.click()
    page.wait_for_url(url + "#c14")
    expect(page.locator("#c14")).to_be_in_viewport()

    page.reload()  # seen now: nothing is new any more
    expect(page.locator(".comments__new")).to_have_count(0)


def test_hovering_a_cited_number_previews_the_comment(live_server, page):
    post = busy_thread()
    page.goto(live_server.url + post.get_absolute_url())

    citation = page.locator("#c13 a.cite")
    expect(citation).to_have_text(">>12.1")
    citation.hover()
    preview = page.get_by_role("tooltip")
    expect(preview).to_be_visible()
    expect(preview).to_contain_text("Comment 12.1: the view from the office")
    assert citation.get_attribute("aria-describedby") == preview.get_attribute("id")
    expect(page.locator("#c12-1 .comment__cited-by")).to_have_text("cited by 13")

    page.mouse.move(0, 0)
    expect(preview).to_have_count(0)
    citation.focus()
    expect(page.get_by_role("tooltip")).to_be_visible()
