"""A reader in a real browser searches for a phrase and lands on comment 12.1.

The data is the blog's own: the sample archive imported with `import_archive`, whose raw
bulk writes reach the search index only through the database triggers.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.core.management import call_command

from forum.models import Post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

SAMPLE = Path(__file__).resolve().parent.parent / "archive_import" / "sample_archive"


def test_a_reader_searches_a_phrase_from_comment_12_1_and_lands_on_its_anchor(
    live_server, page, artifacts_dir
):
    call_command("import_archive", str(SAMPLE), verbosity=0)
    post = Post.objects.get(date=datetime.date(2015, 2, 18), title="A PO's Musings")

    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Search", exact=True).click()
    page.wait_for_url(f"{live_server.url}/search/")
    page.get_by_role("searchbox").fill('"wasted on getting rid of prison staff"')
    page.get_by_label("Year").select_option("2015")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(f"{live_server.url}/search/?*")

    assert page.locator(".search-total").inner_text() == "1 result in 2015."
    result = page.locator(".search-result")
    assert "<mark>" in result.locator(".search-result__snippet").inner_html()
    page.screenshot(path=os.path.join(artifacts_dir, "search_results.png"))
    result.get_by_role("link", name="Comment 12.1 on “A PO's Musings”").click()

    page.wait_for_url(live_server.url + post.get_absolute_url() + "#c12-1")
    target = page.locator("#c12-1")
    assert target.is_visible()
    assert "Revealed: £56m wasted on getting rid of prison staff" in target.inner_text()
    assert page.evaluate("document.querySelector(':target').id") == "c12-1"
    assert "This comment has been removed." in page.locator("#c12").inner_text()
