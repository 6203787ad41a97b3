"""Posts in the admin. Comments are moderation's: its queue is `moderation.admin`."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from .cache import invalidate_pages
from .models import Post
from .permissions import can_moderate
from .threads import lock_posts


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("title", "date", "comments_open", "is_published", "source_file")
    list_filter = ("is_published", "comments_open", "year")
    search_fields = ("title",)
    date_hierarchy = "date"
    readonly_fields = ("slug", "created_at", "updated_at", "source_file", "source_line")
    actions = ["close_comments", "open_comments"]

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return can_moderate(request.user)

    @admin.action(description="Close comments on the selected posts", permissions=["moderate"])
    def close_comments(self, request: HttpRequest, queryset: QuerySet) -> None:
        n = set_comments_open(queryset, False)
        self.message_user(request, f"Comments closed on {n} post(s).")

    @admin.action(description="Open comments on the selected posts", permissions=["moderate"])
    def open_comments(self, request: HttpRequest, queryset: QuerySet) -> None:
        n = set_comments_open(queryset, True)
        self.message_user(request, f"Comments opened on {n} post(s).")


def set_comments_open(posts: QuerySet, value: bool) -> int:
    """Open or close comments; the post rows are locked in id order first, as every
    writer of post rows does (see forum.threads), so this never deadlocks with a bulk
    moderation over the same posts."""
    with transaction.atomic():
        lock_posts(posts.values_list("pk", flat=True))
        n = posts.update(comments_open=value)
    invalidate_pages()  # update() sends no signal; cached pages would still show the form
    return n
