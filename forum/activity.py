"""Recent activity (issue 19): the latest published comments across the site, and the
threads with the newest comments, each a page and an Atom feed.

Only what anyone may read anywhere is listed (`Comment.objects.public()`), so a held,
spam or removed comment never shows here; each page runs a constant number of queries.
"""

from __future__ import annotations

import datetime

from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.text import Truncator
from django.views.generic import ListView

from .cache import PAGE_NUMBER, cache_anonymous_page
from .feeds import FEED_LENGTH, SITE_TITLE, CommentsFeed, PostsFeed
from .models import Comment, Post

PER_PAGE = 25
# Recent activity reaches back this many public comments: /comments/ pages through them,
# /active/ lists their threads. Both then read (and count) along the published_at index
# whatever the archive's size; older comments are the archive's and search's business.
RECENT_WINDOW = 2000
SNIPPET_WORDS = 30


def latest_comments() -> QuerySet[Comment]:
    """Public comments, the most recently published first."""
    return (
        Comment.objects.public()
        .select_related("post")
        .order_by(F("published_at").desc(nulls_last=True), "-id")
    )


def active_threads() -> list[tuple[int, datetime.datetime]]:
    """(post id, when its newest comment was published) of the threads with the newest
    public comments, newest first: the posts among the latest RECENT_WINDOW public
    comments. Read along the published_at index, so its cost does not grow with the
    archive (a GROUP BY over every comment of every post would)."""
    recent = latest_comments().values_list("post_id", "published_at")[:RECENT_WINDOW]
    newest: dict[int, datetime.datetime] = {}
    for post_id, published_at in recent:
        newest.setdefault(post_id, published_at)
    return list(newest.items())


def with_posts(threads: list[tuple[int, datetime.datetime]]) -> list[Post]:
    """The posts of `threads`, in their order, with `comment_count` and
    `last_comment_at`: one query."""
    found = Post.objects.published().with_comment_count().in_bulk([pk for pk, _ in threads])
    posts = []
    for pk, published_at in threads:
        if pk in found:
            found[pk].last_comment_at = published_at
            posts.append(found[pk])
    return posts


def comment_link(comment: Comment) -> str:
    """A comment's link wherever it is: the post page redirects it to the right page."""
    return f"{comment.post.get_absolute_url()}?comment={comment.path}"


def snippet(comment: Comment) -> str:
    return Truncator(" ".join(comment.body.split())).words(SNIPPET_WORDS)


cache_listing = cache_anonymous_page(reads={"page": PAGE_NUMBER})


@method_decorator(cache_listing, name="dispatch")
class RecentCommentsView(ListView):
    """/comments/: the latest comments across the site, newest first."""

    template_name = "forum/recent_comments.html"
    context_object_name = "comments"
    paginate_by = PER_PAGE

    def get_queryset(self) -> QuerySet[Comment]:
        return latest_comments()[:RECENT_WINDOW]

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["items"] = [
            {"comment": c, "link": comment_link(c), "snippet": snippet(c)}
            for c in context["comments"]
        ]
        return context


@method_decorator(cache_listing, name="dispatch")
class ActiveThreadsView(ListView):
    """/active/: the threads with the newest comments."""

    template_name = "forum/active_threads.html"
    paginate_by = PER_PAGE

    def get_queryset(self) -> list[tuple[int, datetime.datetime]]:
        return active_threads()

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["posts"] = with_posts(context["page_obj"].object_list)
        return context


class LatestCommentsFeed(CommentsFeed):
    """/comments/'s feed: the same as the site's comments feed, linked to the page."""

    def link(self) -> str:
        return reverse("forum:recent_comments")

    def item_link(self, item: Comment) -> str:
        return comment_link(item)


class ActiveThreadsFeed(PostsFeed):
    """/active/'s feed: a thread is updated when its newest comment is published."""

    title = f"{SITE_TITLE}: active threads"
    subtitle = "The threads with the newest comments."

    def link(self) -> str:
        return reverse("forum:active_threads")

    def items(self) -> list[Post]:
        return with_posts(active_threads()[:FEED_LENGTH])

    def item_description(self, item: Post) -> str:
        latest = timezone.localtime(item.last_comment_at)
        return f"{item.comment_count} comments; the latest published {latest:%d %B %Y, %H:%M}."

    def item_updateddate(self, item: Post) -> datetime.datetime:
        return item.last_comment_at


recent_comments = RecentCommentsView.as_view()
active = ActiveThreadsView.as_view()
