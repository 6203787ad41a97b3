"""A reader in a real browser finds a 2015 post through the archive and reads a thread."""

from __future__ import annotations

import datetime
import os

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from forum.models import Post

pytestmark = pytest.mark.django_db(transaction=True)

SAMPLE_ARCHIVE = settings.BASE_DIR / "archive_import" / "sample_archive"


def sample_musings() -> Post:
    """The blog's five sample dumps; 001 is the 18 February 2015 post "A PO's Musings",
    whose comments 4 and 12 were removed on the blog, 12 keeping its replies 12.1, 12.2."""
    call_command("import_archive", str(SAMPLE_ARCHIVE), verbosity=0)
    return Post.objects.get(date=datetime.date(2015, 2, 18), title="A PO's Musings")


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

    # Text as the page holds it: comments far below the screen are laid out only as they
    # near it (content-visibility), so their rendered innerText is empty until then.
    removed = page.locator("#c12")
    expect(removed.locator(".comment__placeholder")).to_have_text("This comment has been removed.")
    replies = page.locator("#c12 + ol.replies > li > article")
    expect(replies).to_have_count(2)
    assert replies.nth(0).get_attribute("id") == "c12-1"
    expect(replies.nth(0)).to_contain_text("Media Release")
    expect(replies.nth(1)).to_contain_text("So thats why theres no evr left for probation")
    expect(page.locator("#c12-1 .comment__number")).to_have_text("12.1")
    assert page.locator("#c4 .comment__placeholder").is_visible()

    page.goto(live_server.url + post.get_absolute_url() + "#c12")
    page.screenshot(path=os.path.join(artifacts_dir, "reading_comment_12.png"), full_page=False)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.evaluate("document.getElementById('c12').scrollIntoView()")
    page.screenshot(path=os.path.join(artifacts_dir, "reading_comment_12_phone.png"))
