"""A reader in a real browser finds a 2015 post through the archive and reads a thread."""

from __future__ import annotations

import datetime
import os

import pytest

from forum.models import CommentStatus, Post
from forum.threads import set_status
from tests.factories import PostFactory, comment

pytestmark = pytest.mark.django_db(transaction=True)


def sample_musings() -> Post:
    """The 18 February 2015 post of archive_import/sample_archive/001_*.txt, with its
    comments 1-13: 4 and 12 were removed on the blog, and 12 keeps its replies 12.1, 12.2."""
    PostFactory(date=datetime.date(2016, 2, 25), title="A later post")
    PostFactory(date=datetime.date(2015, 2, 17), title="The day before")
    post = PostFactory(
        date=datetime.date(2015, 2, 18),
        title="A PO's Musings",
        body="The musings of a soon to be retired PO;\n\n"
        "1) Why do all the SPO's believe that TR 'must work' despite all the evidence?",
    )
    for number in range(1, 14):
        top = comment(post, body=f"Comment number {number} from a reader.")
        if number == 12:
            comment(
                post,
                top,
                body="Media Release\n\nRevealed: £56m wasted on getting rid of prison staff",
            )
            comment(post, top, body="So thats why theres no evr left for probation")
        if number in (4, 12):
            set_status(top, CommentStatus.REMOVED)
    return post


def test_a_reader_follows_the_archive_to_a_post_and_reads_comment_12s_replies(
    live_server, page, artifacts_dir
):
    post = sample_musings()

    page.goto(live_server.url + "/")
    archive = page.locator(".archive-widget")
    archive.get_by_role("link", name="2015").click()
    page.wait_for_url(f"{live_server.url}/2015/")
    page.locator(".archive-widget").get_by_role("link", name="February").click()
    page.wait_for_url(f"{live_server.url}/2015/02/")
    page.get_by_role("link", name="A PO's Musings").first.click()
    page.wait_for_url(live_server.url + post.get_absolute_url())

    removed = page.locator("#c12")
    assert removed.locator(".comment__placeholder").inner_text() == "This comment has been removed."
    replies = page.locator("#c12 + ol.replies > li > article")
    assert replies.count() == 2
    assert replies.nth(0).get_attribute("id") == "c12-1"
    assert "Media Release" in replies.nth(0).inner_text()
    assert "So thats why theres no evr left for probation" in replies.nth(1).inner_text()
    assert page.locator("#c12-1 .comment__number").inner_text() == "12.1"
    assert page.locator("#c4 .comment__placeholder").is_visible()

    page.goto(live_server.url + post.get_absolute_url() + "#c12")
    page.screenshot(path=os.path.join(artifacts_dir, "reading_comment_12.png"), full_page=False)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=os.path.join(artifacts_dir, "reading_comment_12_phone.png"))
