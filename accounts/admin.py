from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import User


@admin.register(User)
class ForumUserAdmin(UserAdmin):
    list_display = ("username", "email", "display_name", "is_staff", "is_suspended", "date_joined")
    list_filter = (*UserAdmin.list_filter, "is_suspended")
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
