"""Recent activity (issue 19): the latest published comments across the site, and the
threads with the newest comments, each a page and an Atom feed.

Only what anyone may read anywhere is listed (`Comment.objects.public()`), so a held,
spam or removed comment never shows here; each page runs a constant number of queries.
"""

from __future__ import annotations

import datetime

from django.db.models import F, Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.text import Truncator
from django.views.generic import ListView

from .cache import PAGE_NUMBER, cache_anonymous_page
from .feeds import FEED_LENGTH, SITE_TITLE, CommentsFeed, PostsFeed
from .models import Comment, CommentStatus, Post

PER_PAGE = 25
SNIPPET_WORDS = 30


def latest_comments() -> QuerySet[Comment]:
    """Public comments, the most recently published first."""
    return (
        Comment.objects.public()
        .select_related("post")
        .order_by(F("published_at").desc(nulls_last=True), "-id")
    )


def active_threads() -> QuerySet[Post]:
    """Published posts with public comments, the one with the newest comment first;
    `last_comment_at` is when that comment was published."""
    public = Q(
        comments__level__gt=0,
        comments__status=CommentStatus.PUBLISHED,
        comments__published_at__isnull=False,
    )
    return (
        Post.objects.published()
        .annotate(last_comment_at=Max("comments__published_at", filter=public))
        .filter(last_comment_at__isnull=False)
        .with_comment_count()
        .order_by("-last_comment_at", "-id")
    )


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
        return latest_comments()

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
    context_object_name = "posts"
    paginate_by = PER_PAGE

    def get_queryset(self) -> QuerySet[Post]:
        return active_threads()


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

    def items(self) -> QuerySet[Post]:
        return active_threads()[:FEED_LENGTH]

    def item_description(self, item: Post) -> str:
        latest = timezone.localtime(item.last_comment_at)
        return f"{item.comment_count} comments; the latest published {latest:%d %B %Y, %H:%M}."

    def item_updateddate(self, item: Post) -> datetime.datetime:
        return item.last_comment_at


recent_comments = RecentCommentsView.as_view()
active = ActiveThreadsView.as_view()
