from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.urls import reverse
from django.utils.html import format_html

from .models import User


@admin.register(User)
class ForumUserAdmin(UserAdmin):
    list_display = (
        "username",
        "email",
        "display_name",
        "person_page",
        "is_staff",
        "is_suspended",
        "date_joined",
    )
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
                    "display_name",
                    "comment_anonymously",
                    "notify_replies",
                    "is_suspended",
                    "suspended_until",
                )
            },
        ),
    )
