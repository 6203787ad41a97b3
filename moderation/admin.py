"""Admin for the rules (one editable row), the moderation log, flags and watched accounts.

The comment queue itself is forum.admin.CommentAdmin; everything here is read-only but
the rules, because the log and flags are written only by moderation.actions.
"""

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from .models import Flag, LogEntry, ModerationRules, WatchedUser


@admin.register(ModerationRules)
class ModerationRulesAdmin(admin.ModelAdmin):
    fieldsets = (
        ("Who waits for a moderator", {"fields": ("mode", "first_n", "old_post_days")}),
        ("What waits, whoever writes it", {"fields": ("max_links", "hold_words")}),
        ("What is refused", {"fields": ("block_words",)}),
    )

    def changelist_view(self, request: HttpRequest, extra_context=None):
        """There is one set of rules: go straight to it."""
        ModerationRules.load()
        return HttpResponseRedirect(reverse("admin:moderation_moderationrules_change", args=[1]))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnly:
    """Rows written only by code (moderation actions, triggers): nobody adds, edits or
    deletes them by hand in the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "moderator",
        "action",
        "from_status",
        "to_status",
        "comment",
        "reason",
    )
    list_filter = ("action", "moderator")
    list_select_related = ("moderator", "comment__post")
    date_hierarchy = "created_at"
    raw_id_fields = ("comment",)


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "reason", "resolved", "comment")
    list_filter = ("reason", "resolved")
    list_select_related = ("user", "comment__post")
    raw_id_fields = ("comment",)


@admin.register(WatchedUser)
class WatchedUserAdmin(ReadOnlyAdmin):
    list_display = ("user", "created_by", "created_at")
    list_select_related = ("user", "created_by")
    actions = ["stop_watching"]

    def has_suspend_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("moderation.suspend_user")

    @admin.action(description="Stop moderating all their comments", permissions=["suspend"])
    def stop_watching(self, request: HttpRequest, queryset) -> None:
        n, _ = queryset.delete()
        self.message_user(request, f"{n} account(s) are back to the normal rules.")
