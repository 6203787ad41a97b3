"""Every page for every reader (issue 20): in Debian's Chromium, each page below has no
axe-core violation of WCAG 2.0/2.1 A and AA in light and dark mode, at desktop and
phone widths, and does not scroll sideways at 320 px (WCAG 1.4.10, reflow).

Adding a page is one line in PAGES: its name, its URL (a path, or a function of the
`Scene` for objects the scene makes), and who is logged in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from forum.models import Comment, CommentStatus, Post, RemovedBy
from moderation.actions import flag
from moderation.models import FlagReason, LogEntry, ModerationRules
from moderation.notifications import REPLIES, unsubscribe_token

from .a11y import (
    DESKTOP,
    NARROWEST,
    PHONE,
    SCHEMES,
    axe_source,
    axe_violations,
    horizontal_overflow,
)
from .factories import PostFactory, comment, moderator, verified_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@dataclass
class Scene:
    """A small forum with something of everything a page can show."""

    post: Post  # with a thread: replies, a removed comment, the reader's pending comment
    parent: Comment  # a published top-level comment the reader may reply to
    own: Comment  # the reader's own published comment (they may remove it)
    pending: Comment  # the reader's comment awaiting moderation
    users: dict


@dataclass(frozen=True)
class Page:
    name: str
    url: str | Callable[[Scene], str]
    user: str = ""  # "" anonymous, or a key of Scene.users
    status: int = 200

    def path(self, scene: Scene) -> str:
        return self.url if isinstance(self.url, str) else self.url(scene)


# One line a page. Pages still to come join here the same way (recent activity at
# /comments/ and /active/, the moderation pages).
PAGES = [
    Page("home", "/"),
    Page("post", lambda s: s.post.get_absolute_url()),
    Page("post, logged in with the form", lambda s: s.post.get_absolute_url(), user="reader"),
    Page("post, as a moderator", lambda s: s.post.get_absolute_url(), user="moderator"),
    Page("year", "/2015/"),
    Page("month", "/2015/02/"),
    Page("archive", "/archive/"),
    Page("latest comments", "/comments/"),
    Page("active threads", "/active/"),
    Page("watch a thread", lambda s: f"/watch/{s.post.pk}/", user="reader"),
    Page("search", "/search/"),
    Page("search with results", "/search/?q=probation"),
    Page("search with filters", "/search/?q=probation&year=2015&kind=comment&sort=new"),
    Page("search with no results", "/search/?q=zebracrossing"),
    Page("login", "/accounts/login/"),
    Page("signup", "/accounts/signup/"),
    Page("password reset", "/accounts/password/reset/"),
    Page("password reset sent", "/accounts/password/reset/done/"),
    Page("verification sent", "/accounts/confirm-email/"),
    Page("email address", "/accounts/email/", user="reader"),
    Page("password change", "/accounts/password/change/", user="reader"),
    Page("profile", "/profile/", user="reader"),
    Page("comment form page", lambda s: comment_page(s), user="reader"),
    Page("reply form page", lambda s: comment_page(s) + f"?parent={s.parent.pk}", user="reader"),
    Page("remove own comment", lambda s: remove_page(s), user="reader"),
    Page("unsubscribe", lambda s: unsubscribe_page(s)),
    Page("404", "/no-such-page/", status=404),
    Page("admin login", "/admin/login/"),
    Page("admin index", "/admin/", user="moderator"),
    Page("moderation queue", "/admin/forum/comment/", user="moderator"),
    Page("moderation queue, all", "/admin/forum/comment/?status=all", user="moderator"),
    Page("moderated comment", lambda s: admin_change(s.pending), user="moderator"),
    Page("moderation rules", "/admin/moderation/moderationrules/1/change/", user="moderator"),
    Page("moderation log", "/admin/moderation/logentry/", user="moderator"),
    Page("flags", "/admin/moderation/flag/", user="moderator"),
    Page("watched accounts", "/admin/moderation/watcheduser/", user="moderator"),
    Page("person page", lambda s: person_page(s), user="moderator"),
    Page("canned reasons", "/admin/moderation/cannedreason/", user="moderator"),
    Page("privacy", "/privacy/"),
    Page("delete account", "/profile/delete/", user="reader"),
    Page("reveal an author", lambda s: reveal_page(s), user="moderator"),
    Page("reveals", "/moderation/reveals/", user="moderator"),
]


def person_page(scene: Scene) -> str:
    return reverse("moderation:person", args=[scene.users["reader"].handle])


def reveal_page(scene: Scene) -> str:
    return reverse("moderation:reveal", args=[scene.own.pk])


def comment_page(scene: Scene) -> str:
    return reverse("forum:comment_create", args=[scene.post.pk])


def remove_page(scene: Scene) -> str:
    return reverse("forum:comment_remove", args=[scene.own.pk])


def unsubscribe_page(scene: Scene) -> str:
    return reverse(
        "moderation:unsubscribe", args=[unsubscribe_token(scene.users["reader"], REPLIES)]
    )


def admin_change(obj: Comment) -> str:
    return reverse("admin:forum_comment_change", args=[obj.pk])


@pytest.fixture
def scene(settings) -> Scene:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The browser gets session cookies (log_in): nobody types these users' passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ModerationRules.load()
    reader = verified_user(email="reader@example.org", display_name="Caseload Carol")
    mod = moderator(email="mod@example.org", display_name="")
    other = verified_user(email="other@example.org", display_name="Officer Dibble")
    older = PostFactory(
        title="Grayling's Legacy", body="Probation was sold off. Again.", date=date(2015, 2, 2)
    )
    post = PostFactory(
        date=date(2015, 2, 18),
        title="A PO's Musings",
        body="What probation officers think of the reforms, in their own words. "
        "Comments are open.\n\nSecond paragraph with a link: https://example.org/report",
    )
    PostFactory(title="TR Update", body="The probation service, a year on.", date=date(2016, 3, 1))
    first = comment(post, body="Probation morale is at rock bottom in our office.")
    comment(post, first, body="Same here: 150% workload and nobody listening.")
    comment(
        post,
        first,
        body="Signed, by a named reader.",
        author=other,
        display_name=other.display_name,
    )
    removed = comment(post, body="This broke the rules.")
    Comment.objects.filter(pk=removed.pk).update(
        status=CommentStatus.REMOVED, removed_by=RemovedBy.MODERATOR
    )
    own = comment(post, body="My own probation story.", author=reader, display_name="Anonymous")
    pending = comment(
        post,
        body="Waiting for a moderator: probation is a vocation.",
        status=CommentStatus.PENDING,
        author=reader,
        display_name=reader.display_name,
    )
    comment(older, body="The probation service deserved better.")
    flag(first, other, FlagReason.choices[0][0])
    LogEntry.objects.create(
        moderator=mod,
        comment=own,
        action="publish",
        from_status=CommentStatus.PENDING,
        to_status=CommentStatus.PUBLISHED,
    )
    return Scene(post, first, own, pending, {"reader": reader, "moderator": mod})


def log_in(context, live_server, user) -> None:
    """The browser gets a session cookie for `user`, as after logging in."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])


@pytest.mark.parametrize("target", PAGES, ids=lambda p: p.name)
def test_page_passes_axe_in_both_schemes_and_reflows_at_320px(target, scene, live_server, browser):
    axe = axe_source()
    context = browser.new_context(viewport=DESKTOP)
    if target.user:
        log_in(context, live_server, scene.users[target.user])
    page = context.new_page()
    response = page.goto(live_server.url + target.path(scene))
    assert response.status == target.status, page.url
    found = {}
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            violations = axe_violations(page, axe)
            if violations:
                found[f"{scheme}, {size['width']} px"] = violations
    page.set_viewport_size(NARROWEST)
    overflow = horizontal_overflow(page)
    context.close()
    assert not found, "\n".join(f"{where}:\n  " + "\n  ".join(v) for where, v in found.items())
    assert overflow == 0, f"{target.name} scrolls sideways by {overflow} px at 320 px"


def test_a_post_prints_as_its_text_and_comments_without_the_sites_controls(
    scene, live_server, browser
):
    context = browser.new_context()
    log_in(context, live_server, scene.users["reader"])
    page = context.new_page()
    page.goto(live_server.url + scene.post.get_absolute_url())
    page.emulate_media(media="print")

    for gone in (".site-nav", ".sidebar", ".comment__actions", "#comment-form", ".post-nav"):
        assert not page.locator(gone).first.is_visible(), gone
    for kept in (".post__title", ".post__body", f"#{scene.parent.anchor}", ".site-title"):
        assert page.locator(kept).first.is_visible(), kept
    # Links in the post's text print their address.
    link = page.locator(".post__body a").first
    after = link.evaluate("a => getComputedStyle(a, '::after').content")
    assert "example.org/report" in after
    assert len(page.pdf()) > 1000
    context.close()
