"""The Moderators group: exactly what moderating needs and nothing more.

They see comments, posts and users but edit none of them directly: every status change
goes through the queue's actions (which need `moderate_comment`), suspending and holding
an account needs `suspend_user`, and the rules and the canned reasons are theirs to edit.
"""

from __future__ import annotations

from django.db.models import Model, Q

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
    ("moderation", "view_cannedreason"),
    ("moderation", "add_cannedreason"),
    ("moderation", "change_cannedreason"),
    ("moderation", "delete_cannedreason"),
]


def ensure_moderators_group(group_model: type[Model], permission_model: type[Model]) -> Model:
    """Create (or repair) the group with exactly PERMISSIONS. Takes the models as
    arguments so the data migration can pass its historical ones."""
    group, _ = group_model.objects.get_or_create(name=NAME)
    # In an early migration, a permission of a model created by a later one does not exist
    # yet: that later migration gives it (refresh_group_in_migration).
    wanted = Q()
    for app, codename in PERMISSIONS:
        wanted |= Q(content_type__app_label=app, codename=codename)
    group.permissions.set(permission_model.objects.filter(wanted))
    return group


def refresh_group_in_migration(apps, schema_editor) -> None:
    """For a migration that adds to PERMISSIONS: permissions are normally created after
    all migrations, so create the new ones first, then give them to the group."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    ensure_moderators_group(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


def moderators_group() -> Model:
    from django.contrib.auth.models import Group, Permission

    return ensure_moderators_group(Group, Permission)
