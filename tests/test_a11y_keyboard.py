"""A reader with a keyboard alone, in Debian's Chromium: the comment form is a few Tab
presses away whatever the length of the thread, each comment costs one Tab stop, Escape
takes an inline reply back to its Reply link, and focus and fields can be seen (3:1)."""

from __future__ import annotations

import re

import pytest

from forum.models import Comment

from .a11y import PHONE, SCHEMES, contrast
from .factories import PostFactory, comment, moderator, thread, verified_user
from .test_a11y_pages import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED = """() => {
  const el = document.activeElement;
  return {tag: el.tagName, id: el.id, text: (el.innerText || "").trim(),
          cls: el.className, parent: el.dataset.parent || null};
}"""


@pytest.fixture
def reader():
    return verified_user(email="keys@example.org", display_name="Keyboard Kate")


def tab_until(page, matches, limit: int = 200) -> int:
    """Press Tab until the focused element satisfies `matches`; how many presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if matches(page.evaluate(FOCUSED)):
            return presses
    raise AssertionError(f"not reached in {limit} Tab presses")


def test_a_keyboard_reader_jumps_to_the_form_fills_it_and_posts(live_server, browser, reader):
    post = PostFactory(title="A PO's Musings")
    thread(post, {17: 1})  # 34 comments, as in the issue
    context = browser.new_context()
    log_in(context, live_server, reader)
    page = context.new_page()
    page.goto(live_server.url + post.get_absolute_url())

    # Tabbing through the whole thread costs one stop per comment, not three.
    to_form = tab_until(page, lambda el: el["id"] == "comment-body")
    assert to_form <= 34 + 20, f"{to_form} Tab presses to reach the comment box"

    page.goto(live_server.url + post.get_absolute_url())
    to_jump = tab_until(page, lambda el: el["text"] == "Jump to the comment form")
    assert to_jump <= 15
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["id"] == "comment-body"
    page.keyboard.type("Typed without a mouse: the jump link works.")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["id"] == "comment-anonymous"
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["text"] == "Post comment"  # the hidden trap is skipped
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*#(c\d+|pending-\d+)$"))

    posted = Comment.objects.get(body="Typed without a mouse: the jump link works.")
    assert posted.author == reader and posted.parent.level == 0
    assert "Typed without a mouse" in page.locator(f"#{posted.anchor}").inner_text()
    context.close()


def test_escape_cancels_an_inline_reply_and_focus_returns_to_its_reply_link(
    live_server, browser, reader
):
    post = PostFactory()
    first, *_ = thread(post, {3: 0})
    context = browser.new_context()
    log_in(context, live_server, reader)
    page = context.new_page()
    page.goto(live_server.url + post.get_absolute_url())

    tab_until(page, lambda el: el["text"] == "Reply" and el["parent"] == str(first.pk))
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED)["id"] == "comment-body"
    assert page.locator(f"#{first.anchor} #comment-form").count() == 1
    assert page.input_value("input[name=parent]") == str(first.pk)
    page.keyboard.type("Half a thought")
    page.keyboard.press("Escape")

    focused = page.evaluate(FOCUSED)
    assert focused["text"] == "Reply" and focused["parent"] == str(first.pk)
    assert page.locator(f"#{first.anchor} #comment-form").count() == 0
    assert page.locator("#comment-form-area #comment-form").count() == 1
    assert page.input_value("input[name=parent]") == ""

    # The arrow keys move within the comment's toolbar; Tab leaves it for the next one.
    page.keyboard.press("ArrowRight")
    assert page.evaluate(FOCUSED)["text"] == "Flag"
    page.keyboard.press("End")
    assert page.evaluate(FOCUSED)["text"] == "Link"
    page.keyboard.press("Home")
    assert page.evaluate(FOCUSED)["text"] == "Reply"
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED)["parent"] == str(first.get_next_sibling().pk)
    context.close()


FOCUS_AND_FIELDS = """() => {
  const style = el => getComputedStyle(el);
  const link = document.querySelector(".site-nav a");
  link.focus();
  const ring = style(link);
  const field = document.querySelector("#comment-body");
  return {
    outline: ring.outlineColor, outlineStyle: ring.outlineStyle,
    outlineWidth: parseFloat(ring.outlineWidth),
    page: style(document.body).backgroundColor,
    header: style(document.querySelector(".site-header")).backgroundColor,
    border: style(field).borderTopColor,
    form: style(document.querySelector("#comment-form")).backgroundColor,
  };
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_focus_rings_and_field_borders_stand_out_3_to_1(live_server, browser, reader, scheme):
    post = PostFactory()
    context = browser.new_context(color_scheme=scheme)
    log_in(context, live_server, reader)
    page = context.new_page()
    page.goto(live_server.url + post.get_absolute_url())
    page.keyboard.press("Tab")  # keyboard modality, so :focus-visible applies
    seen = page.evaluate(FOCUS_AND_FIELDS)

    assert seen["outlineStyle"] == "solid" and seen["outlineWidth"] >= 2
    assert contrast(seen["outline"], seen["header"]) >= 3
    assert contrast(seen["outline"], seen["page"]) >= 3
    assert contrast(seen["border"], seen["form"]) >= 3
    context.close()


def test_on_a_phone_search_results_start_on_the_first_screen(live_server, browser):
    for n in range(30):
        PostFactory(title=f"Probation news {n}", body="Probation, again and again.")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/search/?q=probation")

    first = page.locator(".search-result").first.bounding_box()
    assert first["y"] + 40 < PHONE["height"], first
    assert not page.locator("#id_year").is_visible()  # folded under "Filters"
    page.get_by_text("Filters").click()
    assert page.locator("#id_year").is_visible()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(live_server.url + "/search/?q=probation")
    assert page.locator("#id_year").is_visible()  # wide screens show them outright
    context.close()


def test_the_queue_shows_every_column_at_1280px(live_server, browser):
    post = PostFactory(title="A post with a long title that moderators need to see whole")
    author = verified_user(email="a.rather.long.address.for.wrapping@probation.example.org")
    for n in range(5):
        comment(post, body=f"Waiting words, number {n}. " * 10, status="pending", author=author)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    log_in(context, live_server, moderator())
    page = context.new_page()
    page.goto(live_server.url + "/admin/forum/comment/")

    box = page.evaluate(
        "(() => { const r = document.querySelector('#changelist-form .results');"
        " return [r.scrollWidth, r.clientWidth]; })()"
    )
    assert box[0] <= box[1], f"the table is {box[0]} px in a {box[1]} px box"
    context.close()
