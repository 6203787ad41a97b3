from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from .models import User


@admin.register(User)
class ForumUserAdmin(UserAdmin):
    list_display = (
        "username",
        "handle",
        "email",
        "display_name",
        "is_staff",
        "is_suspended",
        "date_joined",
    )
    readonly_fields = ("handle",)
    list_filter = (*UserAdmin.list_filter, "is_suspended")
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
