"""A new reader's whole journey in a real browser (Debian's Chromium): sign up, verify the
address from the emailed link, comment, see it awaiting moderation, log out and find it
gone from the public page. Then a trusted reader replies inline, with JavaScript."""

import re

import pytest
from django.urls import reverse

from .factories import PostFactory, comment, verified_user
from .tasks import delivered

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "new.officer@example.org"
PASSWORD = "caseload review 2015"


def test_a_new_reader_signs_up_verifies_comments_and_only_they_see_it_pending(
    live_server, page, artifacts_dir
):
    post = PostFactory(title="Another Omnishambles")
    post_url = live_server.url + post.get_absolute_url()

    page.goto(live_server.url + reverse("account_signup"))
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("form[action='/accounts/signup/'] button[type=submit]")
    page.wait_for_url("**" + reverse("account_email_verification_sent"))

    outbox = delivered()
    assert len(outbox) == 1
    link = re.search(r"https?://[^/\s]+(/\S+)", outbox[0].body).group(1)
    page.goto(live_server.url + link)
    page.click("main form button[type=submit]")  # "Confirm"
    page.wait_for_load_state()

    page.goto(post_url)
    page.fill("#comment-body", "Nobody asked the staff. Again.")
    page.click("#comment-form button[type=submit]")
    page.wait_for_url(re.compile(r".*#pending-\d+$"))
    mine = page.locator("article.comment--pending")
    assert "Nobody asked the staff. Again." in mine.inner_text()
    assert "Awaiting moderation" in mine.inner_text()
    page.screenshot(path=f"{artifacts_dir}/e2e_comment_pending.png", full_page=True)

    page.click("header button:has-text('Log out')")
    page.wait_for_load_state()
    page.goto(post_url)
    assert "Nobody asked the staff" not in page.content()
    assert page.locator("a:has-text('Log in')").count() >= 1


def test_reply_opens_an_inline_form_under_the_comment_with_javascript(live_server, page):
    post = PostFactory()
    top = comment(post, body="Who else is on 150% workload?")
    reader = verified_user(email="trusted@example.org")
    for n in range(3):
        comment(post, top, body=f"Earlier approved reply {n}", author=reader)

    page.goto(live_server.url + reverse("account_login"))
    page.fill("input[name=login]", "trusted@example.org")
    page.fill("input[name=password]", "correct horse battery")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()

    page.goto(live_server.url + post.get_absolute_url())
    page.click(f"a.comment__reply[data-parent='{top.pk}']")
    # No navigation: the form moved under the comment, set to reply to it.
    assert page.url.endswith(post.get_absolute_url())
    form = page.locator(f"#{top.anchor} #comment-form")
    assert form.count() == 1
    assert "Reply to comment 1" in form.inner_text()
    page.fill("#comment-body", "Me. Trusted readers publish directly.")
    page.click("#comment-form button[type=submit]")
    page.wait_for_url(re.compile(r".*#c1-4$"))
    assert "Me. Trusted readers publish directly." in page.locator("#c1-4").inner_text()
