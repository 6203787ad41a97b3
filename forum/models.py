"""The blog's structure: posts, each with one tree of numbered comments.

Every post owns exactly one comment tree whose `tree_id` is the post's primary key and
whose hidden root node is created with the post. User comments therefore never create
trees (django-mptt hands concurrently created roots the same tree_id), and every insert
or move locks the post row first (see `forum.threads`).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet

from .citations import link_citations
from .links import cached_reverse
from .text import render_text

if TYPE_CHECKING:
    from accounts.models import User

ANONYMOUS = "Anonymous"


class PostQuerySet(models.QuerySet):
    def published(self) -> PostQuerySet:
        """Posts readers may see."""
        return self.filter(is_published=True)

    def with_comment_count(self) -> PostQuerySet:
        """Annotate `comment_count`: published comments only, in the same query."""
        counts = (
            Comment.objects.published()
            .filter(post=OuterRef("pk"))
            .order_by()
            .values("post")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(
            comment_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0)
        )


class Post(models.Model):
    date = models.DateField(db_index=True, help_text="The blog's calendar date (Europe/London).")
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=100, allow_unicode=False)
    # Derived from `date`; stored so "slug unique within its month" is a plain unique index
    # on both engines and the archive widget groups without date functions.
    year = models.PositiveSmallIntegerField(editable=False)
    month = models.PositiveSmallIntegerField(editable=False)
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True, editable=False)
    is_published = models.BooleanField(default=True)
    comments_open = models.BooleanField(default=True)
    slow_mode_minutes = models.PositiveSmallIntegerField(
        default=0,
        help_text="Slow mode: one comment per person per this many minutes (0: off).",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    source_file = models.CharField(max_length=255, blank=True, help_text="Last import's file.")
    source_line = models.PositiveIntegerField(null=True, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["date", "title"], name="post_unique_date_title"),
            models.UniqueConstraint(
                fields=["year", "month", "slug"], name="post_unique_slug_in_month"
            ),
        ]
        indexes = [models.Index(fields=["year", "month"], name="post_year_month")]

    def __str__(self) -> str:
        return f"{self.date:%d %b %Y} · {self.title}"

    def save(self, *args, **kwargs) -> None:
        creating = self._state.adding
        self.year, self.month = self.date.year, self.date.month
        if not self.slug:
            self.slug = unique_slug(self.title, self.date, exclude_pk=self.pk)
        self.body_html = render_text(self.body)
        super().save(*args, **kwargs)
        if creating:
            Comment.objects.create_root(self)

    def get_absolute_url(self) -> str:
        return post_url(self.year, self.month, self.slug)

    @property
    def tree_id(self) -> int:
        return self.pk


def base_slug(title: str) -> str:
    return slugify(title)[:80].strip("-") or "post"


def free_slug(title: str, taken: set[str]) -> str:
    """The title's slug, with -2, -3... while `taken` (the month's other slugs) has it."""
    base = slug = base_slug(title)
    n = 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def unique_slug(title: str, date: datetime.date, exclude_pk: int | None = None) -> str:
    """The title's slug, unique among the posts of its month."""
    taken = set(
        Post.objects.filter(year=date.year, month=date.month, slug__startswith=base_slug(title))
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    return free_slug(title, taken)


class CommentStatus(models.TextChoices):
    PUBLISHED = "published", "Published"
    PENDING = "pending", "Awaiting moderation"
    REMOVED = "removed", "Removed"
    SPAM = "spam", "Spam"
    REJECTED = "rejected", "Rejected"


class RemovedBy(models.TextChoices):
    """Who took a comment out of public view; NOBODY while nobody has."""

    NOBODY = "", "nobody"
    BLOG = "blog", "the original blog"
    AUTHOR = "author", "the author"
    MODERATOR = "moderator", "a moderator"


class CommentQuerySet(TreeQuerySet):
    """The one vocabulary of comment visibility; nobody filters on `status` inline."""

    def comments(self) -> CommentQuerySet:
        """Real comments: every node but the hidden per-post roots."""
        return self.filter(level__gt=0)

    def published(self) -> CommentQuerySet:
        """What is counted, fed, searched: published comments."""
        return self.comments().filter(status=CommentStatus.PUBLISHED)

    def visible(self) -> CommentQuerySet:
        """What the public thread shows: published comments, and a placeholder for every
        number once given (removed, or hidden later as spam), so numbering never has holes."""
        return self.comments().filter(Q(status=CommentStatus.PUBLISHED) | Q(number__isnull=False))

    def public(self) -> CommentQuerySet:
        """What anyone may read anywhere (feeds, search, flags): a published comment of a
        published post."""
        return self.published().filter(post__is_published=True)

    def pending(self) -> CommentQuerySet:
        return self.comments().filter(status=CommentStatus.PENDING)

    def for_reader(self, user: User | None) -> CommentQuerySet:
        """What one reader sees in a thread: the public thread plus their own pending comments."""
        shown = Q(status=CommentStatus.PUBLISHED) | Q(number__isnull=False)
        if user is not None and user.is_authenticated:
            shown |= Q(status=CommentStatus.PENDING, author=user)
        return self.comments().filter(shown)

    def imported(self) -> CommentQuerySet:
        return self.comments().filter(is_imported=True)

    def from_users(self) -> CommentQuerySet:
        return self.comments().filter(is_imported=False)

    def thread(
        self, post: Post, user: User | None = None, *, everything: bool = False
    ) -> CommentQuerySet:
        """One post's thread in reading order, in one query (uses the (tree_id, lft) index);
        `everything`: every comment in every status, for moderators to see in context."""
        shown = self.comments() if everything else self.for_reader(user)
        return shown.filter(tree_id=post.tree_id).select_related("author").order_by("lft")


class CommentManager(TreeManager.from_queryset(CommentQuerySet)):
    def create_root(self, post: Post) -> Comment:
        # bulk_create skips MPTTModel.save(), which would pick its own tree_id.
        (root,) = self.bulk_create([Comment.new_root(post.pk)])
        return root


def post_url(year: int, month: int, slug: str) -> str:
    """A post's permalink from plain values, without a Post."""
    return cached_reverse("forum:post_detail", year, f"{month:02d}", slug)


def comment_anchor(path: str, pk: int | None) -> str:
    """'c12-1' for comment 12.1: the blog-like fragment of its permalink. A function so the
    post page can work it out from plain rows, without building a model per comment."""
    return "c" + path.replace(".", "-") if path else f"pending-{pk}"


class Comment(MPTTModel):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    parent = TreeForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    number = models.PositiveIntegerField(
        null=True, blank=True, help_text="Position among its siblings, as the blog numbered it."
    )
    path = models.CharField(
        max_length=64, blank=True, help_text="Number path from the top, e.g. '12.1'; its anchor."
    )
    status = models.CharField(
        max_length=10, choices=CommentStatus.choices, default=CommentStatus.PUBLISHED
    )
    removed_by = models.CharField(
        max_length=10, choices=RemovedBy.choices, blank=True, default=RemovedBy.NOBODY
    )
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    display_name = models.CharField(max_length=60, default=ANONYMOUS)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_imported = models.BooleanField(
        default=False, editable=False, help_text="From the blog's archive, not written here."
    )
    source_file = models.CharField(max_length=255, blank=True)
    source_line = models.PositiveIntegerField(null=True, blank=True)

    objects = CommentManager()

    class Meta:
        # Declared (even with mptt's own) so mptt's (tree_id, lft) index lands in migrations.
        indexes = [
            models.Index(fields=["status", "created_at"], name="comment_status_created"),
            models.Index(fields=["post", "status"], name="comment_post_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "path"], condition=~Q(path=""), name="comment_unique_path"
            )
        ]

    def __str__(self) -> str:
        return f"{self.post.title} #{self.path or self.pk}"

    def save(self, *args, **kwargs) -> None:
        self.body_html = render_text(self.body)
        if not self.is_imported and self.post_id is not None:
            self.body_html = link_citations(self.body_html, self.numbered)
        super().save(*args, **kwargs)

    def numbered(self, paths: set[str]) -> list[str]:
        """Which of `paths` are numbers of this comment's thread (citable targets)."""
        others = Comment.objects.visible().filter(post_id=self.post_id, path__in=paths)
        return list(others.exclude(pk=self.pk).values_list("path", flat=True))

    @classmethod
    def new_root(cls, post_id: int, size: int = 0) -> Comment:
        """The hidden root of a post's tree, unsaved, above `size` comments: its
        `tree_id` is the post's id, so no two posts ever share a tree."""
        return cls(post_id=post_id, tree_id=post_id, lft=1, rght=2 * size + 2, level=0)

    @property
    def anchor(self) -> str:
        return comment_anchor(self.path, self.pk)

    @property
    def placeholder_text(self) -> str:
        """What readers see in place of a numbered comment that is not (or no longer) public."""
        if self.status == CommentStatus.PENDING:
            return "This comment is hidden while a moderator reviews it."
        if self.status == CommentStatus.REMOVED and self.removed_by == RemovedBy.AUTHOR:
            return "This comment has been removed by the author."
        if self.status == CommentStatus.REMOVED and self.removed_by == RemovedBy.BLOG:
            return "This comment has been removed."
        return "This comment has been removed by a moderator."

    @property
    def is_public(self) -> bool:
        return self.status == CommentStatus.PUBLISHED

    def get_absolute_url(self) -> str:
        return f"{self.post.get_absolute_url()}#{self.anchor}"
