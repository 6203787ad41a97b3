from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from .models import User


@admin.register(User)
class ForumUserAdmin(UserAdmin):
    list_display = (
        "username",
        "handle",
        "email",
        "display_name",
        "person_page",
        "is_staff",
        "is_suspended",
        "date_joined",
    )
    readonly_fields = ("handle",)
    list_filter = (*UserAdmin.list_filter, "is_suspended")
    search_fields = (*UserAdmin.search_fields, "handle")

    @admin.display(description="moderators' page", ordering="handle")
    def person_page(self, obj: User) -> str:
        """Where moderators suspend, watch or note someone, even before they comment."""
        url = reverse("moderation:person", args=[obj.handle])
        return format_html('<a href="{}">{}</a>', url, obj.handle)

    fieldsets = (
        *UserAdmin.fieldsets,
        (
            "Forum",
            {
                "fields": (
                    "handle",
                    "display_name",
                    "comment_anonymously",
                    "notify_replies",
                    "is_suspended",
                    "suspended_until",
                )
            },
        ),
    )

    # Accounts, with names and addresses, are for the site's administrators only: the
    # Moderators group's view permission would show moderators who is behind every handle
    # without a logged reveal (moderation.identity).
    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser
