"""Give every account its pseudonymous handle: added empty, filled one by one (each a
fresh random value), then made unique and required."""

from django.db import migrations, models

import accounts.models


def fill_handles(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    taken = set()
    for user in User.objects.filter(handle__isnull=True).only("pk").iterator():
        handle = accounts.models.new_handle()
        while handle in taken:
            handle = accounts.models.new_handle()
        taken.add(handle)
        User.objects.filter(pk=user.pk).update(handle=handle)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="handle",
            field=models.CharField(editable=False, max_length=16, null=True),
        ),
        migrations.RunPython(fill_handles, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="handle",
            field=models.CharField(
                default=accounts.models.new_handle,
                editable=False,
                help_text="What moderators see instead of the name and address until they reveal them.",
                max_length=16,
                unique=True,
            ),
        ),
    ]
