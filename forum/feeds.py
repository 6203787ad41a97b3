"""Atom feeds: posts (also at Blogger's /feeds/posts/default), all new comments, one post's
comments. Only what is public is fed: published posts, published comments."""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.db.models import F, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from .models import Comment, Post

FEED_LENGTH = 25
SITE_TITLE = "On Probation"


def _midday(date: datetime.date) -> datetime.datetime:
    """Posts carry calendar dates only; feed readers need an instant, so noon in London."""
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(12)))


class PostsFeed(Feed):
    feed_type = Atom1Feed
    title = SITE_TITLE
    subtitle = "The On Probation blog: the probation service, as seen by those who work in it."

    def link(self) -> str:
        return reverse("forum:home")

    def items(self) -> QuerySet[Post]:
        return Post.objects.published().order_by("-date", "-id")[:FEED_LENGTH]

    def item_title(self, item: Post) -> str:
        return item.title

    def item_description(self, item: Post) -> str:
        return item.body_html

    def item_pubdate(self, item: Post) -> datetime.datetime:
        return _midday(item.date)

    def item_updateddate(self, item: Post) -> datetime.datetime:
        return item.updated_at


class CommentsFeed(Feed):
    """Every newly published comment, newest publication first."""

    feed_type = Atom1Feed
    title = f"{SITE_TITLE}: comments"
    subtitle = "New comments on the On Probation blog."

    def link(self) -> str:
        return reverse("forum:home")

    def items(self) -> QuerySet[Comment]:
        return (
            Comment.objects.public()
            .select_related("post")
            .order_by(F("published_at").desc(nulls_last=True), "-id")[:FEED_LENGTH]
        )

    def item_title(self, item: Comment) -> str:
        return f"{item.display_name} on {item.post.title} ({item.path})"

    def item_description(self, item: Comment) -> str:
        return item.body_html

    def item_link(self, item: Comment) -> str:
        return item.get_absolute_url()

    def item_author_name(self, item: Comment) -> str:
        return item.display_name

    def item_pubdate(self, item: Comment) -> datetime.datetime:
        return item.published_at or item.created_at

    def item_updateddate(self, item: Comment) -> datetime.datetime:
        return item.published_at or item.created_at


class PostCommentsFeed(CommentsFeed):
    """One post's published comments, newest first."""

    def get_object(self, request: HttpRequest, year: int, month: str, slug: str) -> Post:
        if len(month) != 2 or not month.isdigit():
            raise Http404("No such month")
        try:
            return Post.objects.published().get(year=year, month=int(month), slug=slug)
        except Post.DoesNotExist:
            raise Http404("No such post") from None

    def title(self, obj: Post) -> str:
        return f"{SITE_TITLE}: comments on {obj.title}"

    def link(self, obj: Post) -> str:
        return obj.get_absolute_url()

    def items(self, obj: Post) -> QuerySet[Comment]:
        return (
            Comment.objects.public()
            .filter(post=obj)
            .select_related("post")
            .order_by(F("published_at").desc(nulls_last=True), "-id")[:FEED_LENGTH]
        )
