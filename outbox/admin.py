"""Outgoing mail for the operator: what waits, what failed and why; retry or discard.

Bodies are not shown: they hold password-reset and confirmation links. Moderators get no
permission on this model; by default only superusers see it.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from .delivery import retry
from .models import Mail


@admin.register(Mail)
class MailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "status", "attempts", "to", "subject", "last_error", "due_at")
    list_filter = ("status",)
    fields = readonly_fields = list_display
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Mail | None = None) -> bool:
        return False

    @admin.action(description="Send the selected failed mails again", permissions=["delete"])
    def send_again(self, request: HttpRequest, queryset: QuerySet[Mail]) -> None:
        self.message_user(request, f"{retry(queryset)} mail(s) queued again.")
