"""In a real browser: a reader's comment waits, a moderator publishes it from the admin
queue, and an anonymous reader then sees it on the post."""

import os

import pytest
from allauth.account.models import EmailAddress

from forum.models import Comment, CommentStatus
from moderation.actions import hold
from moderation.rules import decide

from .factories import PostFactory, UserFactory, comment, moderator

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
    admin, page = log_in_to_the_admin(browser, live_server, mod)
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


def log_in_to_the_admin(browser, live_server, mod, **context):
    admin = browser.new_context(**context)
    page = admin.new_page()
    page.goto(live_server.url + "/admin/")
    page.fill("input[name=username]", mod.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("text=Open the moderation queue")
    return admin, page


def waiting_comments(n: int) -> list[Comment]:
    post = PostFactory(title="Approved Premises and the Long Wait for a Bed Space")
    author = UserFactory(email="a.very.long.address.indeed@probation.example.org")
    made = []
    for i in range(n):
        body = f"Comment {i}: see https://www.example.org/a/rather/long/path/{i} " + (
            "and why the caseloads keep growing in every office " * 4
        )
        made.append(comment(post, body=body, status=CommentStatus.PENDING, author=author))
        hold(made[-1], decide(author, post, body).reasons)  # as the posting view does
    return made


def test_a_moderator_clears_three_pending_comments_with_the_keyboard_alone(
    live_server, browser, artifacts_dir
):
    first, second, third = waiting_comments(3)
    admin, page = log_in_to_the_admin(browser, live_server, moderator())
    page.goto(live_server.url + "/admin/forum/comment/")
    page.wait_for_selector("#result_list tbody tr.is-current")

    current = "#result_list tbody tr.is-current"
    page.keyboard.press("p")  # publish the first row
    page.wait_for_selector("text=Published 1 comment(s).")
    page.wait_for_selector(current)
    assert "Comment 1:" in page.locator(current).inner_text()  # the next one, in its place
    page.keyboard.press("j")
    assert "Comment 2:" in page.locator(current).inner_text()
    page.keyboard.press("k")
    page.keyboard.press("r")
    page.wait_for_selector("text=Rejected 1 comment(s).")
    page.wait_for_selector(current)
    page.keyboard.press("s")
    page.wait_for_selector("text=Marked as spam 1 comment(s).")
    page.screenshot(path=os.path.join(artifacts_dir, "moderation-queue-keyboard.png"))
    admin.close()

    statuses = [Comment.objects.get(pk=c.pk).status for c in (first, second, third)]
    assert statuses == [CommentStatus.PUBLISHED, CommentStatus.REJECTED, CommentStatus.SPAM]


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_every_column_of_the_queue_is_visible(live_server, browser, artifacts_dir, width, height):
    waiting_comments(2)
    admin, page = log_in_to_the_admin(
        browser, live_server, moderator(), viewport={"width": width, "height": height}
    )
    page.goto(live_server.url + "/admin/forum/comment/")
    page.screenshot(
        path=os.path.join(artifacts_dir, f"moderation-queue-{width}.png"), full_page=True
    )
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, "the page scrolls sideways"
    # Within the viewport, and within the box the table scrolls in (which would clip it).
    results = page.locator("#changelist .results").bounding_box()
    right = min(width, results["x"] + results["width"])
    row = "#result_list tbody tr:first-child"
    cells = page.locator(f"{row} td, {row} th")
    assert cells.count() == 10  # the checkbox and the nine columns
    for i in range(cells.count()):
        box = cells.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= right + 0.5, i
    for shown in ("Comment 0", "new account", "Dec"):
        assert page.locator("#result_list tbody tr:first-child", has_text=shown).is_visible()
    admin.close()


def test_from_a_queue_row_a_moderator_lands_on_the_comment_in_its_thread_and_publishes_it(
    live_server, browser, artifacts_dir
):
    (waiting,) = waiting_comments(1)
    comment(waiting.post, body="A published comment before it")
    admin, page = log_in_to_the_admin(
        browser, live_server, moderator(), viewport={"width": 1280, "height": 800}
    )
    page.goto(live_server.url + "/admin/forum/comment/")
    page.click("#result_list tbody tr:first-child a.in-context")
    page.wait_for_url(f"**#pending-{waiting.pk}")
    held = page.locator(f"#pending-{waiting.pk}")
    assert held.is_visible() and "Awaiting moderation" in held.inner_text()
    assert held.bounding_box()["y"] < 800, "the page opens on the comment"
    for label in ("Publish", "Reject", "Spam", "Remove"):
        assert held.get_by_role("button", name=label).is_visible()
    page.screenshot(path=os.path.join(artifacts_dir, "moderation-in-context.png"))
    held.get_by_role("button", name="Publish").click()
    page.wait_for_selector("text=Published: comment")
    admin.close()
    assert Comment.objects.get(pk=waiting.pk).status == CommentStatus.PUBLISHED
