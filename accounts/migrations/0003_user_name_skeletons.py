"""Store each display name's look-alike skeletons (accounts.names), filled in for the
names already chosen, so a new name is compared with every other in one query."""

from django.db import migrations, models

import accounts.names


def fill_skeletons(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.exclude(display_name="").only("pk", "display_name").iterator():
        raw, folded = accounts.names.skeletons(user.display_name)
        User.objects.filter(pk=user.pk).update(name_skeleton=raw, name_skeleton_folded=folded)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_user_handle")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="name_skeleton",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=240),
        ),
        migrations.AddField(
            model_name="user",
            name="name_skeleton_folded",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=240),
        ),
        migrations.RunPython(fill_skeletons, migrations.RunPython.noop),
    ]
