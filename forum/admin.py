"""Posts in the admin. Comments are moderation's: its queue is `moderation.admin`."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .cache import invalidate_pages
from .models import Post
from .permissions import can_moderate


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
        n = queryset.update(comments_open=False)
        invalidate_pages()  # update() sends no signal; cached pages would still show the form
        self.message_user(request, f"Comments closed on {n} post(s).")

    @admin.action(description="Open comments on the selected posts", permissions=["moderate"])
    def open_comments(self, request: HttpRequest, queryset: QuerySet) -> None:
        n = queryset.update(comments_open=True)
        invalidate_pages()
        self.message_user(request, f"Comments opened on {n} post(s).")
