"""In a real browser: a reader's comment waits, a moderator publishes it from the admin
queue, and an anonymous reader then sees it on the post."""

import os

import pytest
from allauth.account.models import EmailAddress

from forum.models import Comment, CommentStatus

from .factories import PostFactory, UserFactory, moderator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's


def test_a_moderator_publishes_a_readers_comment_and_the_public_then_sees_it(
    live_server, browser, artifacts_dir
):
    post = PostFactory(title="Probation Reunification")
    reader = UserFactory(email="reader@example.org", display_name="Old Lag")
    EmailAddress.objects.create(user=reader, email=reader.email, verified=True, primary=True)
    mod = moderator(email="mod@example.org")
    post_url = live_server.url + post.get_absolute_url()
    body = "Morale has never been lower in our office."

    # The reader posts through the site's own form and sees it awaiting moderation.
    reading = browser.new_context()
    page = reading.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", reader.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.goto(post_url)
    page.fill("textarea[name=body]", body)
    page.click("text=Post comment")
    page.wait_for_selector("text=Awaiting moderation")
    held = Comment.objects.get(body=body)
    assert held.status == CommentStatus.PENDING and held.author == reader
    reading.close()

    # The moderator finds it in the queue from the admin index and publishes it.
    admin = browser.new_context()
    page = admin.new_page()
    page.goto(live_server.url + "/admin/")
    page.fill("input[name=username]", mod.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("text=1 comment waiting for moderation.")
    page.click("text=Open the moderation queue")
    row = page.locator("#result_list tbody tr", has_text="Morale has never been lower")
    assert reader.handle in row.inner_text(), "the author as a handle"
    assert "reader@example.org" not in row.inner_text() and "Old Lag" not in row.inner_text()
    assert "Probation Reunification" in row.inner_text()
    row.locator("input.action-select").check()
    page.select_option("select[name=action]", "publish")
    page.fill("input[name=reason]", "on topic")
    page.click("button[name=index]")
    page.wait_for_selector("text=Published 1 comment(s).")
    page.screenshot(path=os.path.join(artifacts_dir, "moderation-queue-after-publish.png"))
    admin.close()

    # An anonymous reader now sees it, numbered, on the post.
    anonymous = browser.new_context()
    page = anonymous.new_page()
    page.goto(post_url)
    comment = page.locator("#c1")
    assert body in comment.inner_text()
    assert "Awaiting moderation" not in page.content()
    anonymous.close()
    assert Comment.objects.get(pk=held.pk).moderation_log.get().reason == "on topic"
