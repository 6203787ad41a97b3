"""The Moderators group: exactly what moderating needs and nothing more.

They see comments, posts and users but edit none of them directly: every status change
goes through the queue's actions (which need `moderate_comment`), suspending and holding
an account needs `suspend_user`, and the rules are theirs to edit.
"""

from __future__ import annotations

from django.db.models import Model

NAME = "Moderators"
PERMISSIONS = [
    ("forum", "view_comment"),
    ("forum", "view_post"),
    ("accounts", "view_user"),
    ("moderation", "moderate_comment"),
    ("moderation", "suspend_user"),
    ("moderation", "view_logentry"),
    ("moderation", "view_flag"),
    ("moderation", "view_moderationrules"),
    ("moderation", "change_moderationrules"),
    ("moderation", "view_watcheduser"),
]


def ensure_moderators_group(group_model: type[Model], permission_model: type[Model]) -> Model:
    """Create (or repair) the group with exactly PERMISSIONS. Takes the models as
    arguments so the data migration can pass its historical ones."""
    group, _ = group_model.objects.get_or_create(name=NAME)
    group.permissions.set(
        [
            permission_model.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in PERMISSIONS
        ]
    )
    return group


def moderators_group() -> Model:
    from django.contrib.auth.models import Group, Permission

    return ensure_moderators_group(Group, Permission)
