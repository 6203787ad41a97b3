"""The Moderators group, with exactly what moderating needs and nothing more.

They see comments, posts and users but edit none of them directly: every status change
goes through the queue's actions (which need `moderate_comment`), suspending needs
`suspend_user`, and the rules are theirs to edit.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Moderators"
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


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    perms = [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codename in PERMISSIONS
    ]
    group.permissions.set(perms)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("forum", "0001_initial"),
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
