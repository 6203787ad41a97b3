"""Posts in the admin. Comments are moderation's: its queue is `moderation.admin`."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import ActionForm
from django.db.models import QuerySet
from django.http import HttpRequest

from moderation.actions import cool_post
from moderation.models import LogAction

from .models import Post
from .permissions import can_moderate


class CoolingActionForm(ActionForm):
    """Closing, reopening and slow mode: the minutes of slow mode, and a reason for the log."""

    minutes = forms.IntegerField(
        required=False, min_value=0, max_value=1440, label="Slow mode minutes"
    )
    reason = forms.CharField(required=False, max_length=250, label="Reason (logged)")


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "date",
        "comments_open",
        "slow_mode_minutes",
        "is_published",
        "source_file",
    )
    list_filter = ("is_published", "comments_open", "year")
    search_fields = ("title",)
    date_hierarchy = "date"
    readonly_fields = ("slug", "created_at", "updated_at", "source_file", "source_line")
    actions = ["close_comments", "open_comments", "set_slow_mode"]
    action_form = CoolingActionForm

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return can_moderate(request.user)

    def _cool(self, request: HttpRequest, queryset: QuerySet, action: str, done: str) -> None:
        form = CoolingActionForm(request.POST)
        form.is_valid()
        reason = form.cleaned_data.get("reason", "")
        minutes = form.cleaned_data.get("minutes") or 0
        n = sum(
            cool_post(post, request.user, action, reason, minutes) is not None
            for post in queryset.order_by("pk")
        )
        self.message_user(request, done.format(n=n, minutes=minutes))

    @admin.action(description="Close comments on the selected posts", permissions=["moderate"])
    def close_comments(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._cool(request, queryset, LogAction.CLOSE, "Comments closed on {n} post(s).")

    @admin.action(description="Open comments on the selected posts", permissions=["moderate"])
    def open_comments(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._cool(request, queryset, LogAction.REOPEN, "Comments opened on {n} post(s).")

    @admin.action(description="Set slow mode (the minutes given; 0: off)", permissions=["moderate"])
    def set_slow_mode(self, request: HttpRequest, queryset: QuerySet) -> None:
        done = "Slow mode set to {minutes} minutes on {n} post(s)."
        self._cool(request, queryset, LogAction.SLOW_MODE, done)
