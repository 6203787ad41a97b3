"""Comments written on the site are dated by their own day, not their post's (issue 19:
a comment of 6 December 2026 on a 2013 post was found under 2013): the triggers are
replaced and the index rebuilt under them."""

from django.db import migrations


def rebuild(apps, schema_editor):
    from search.indexing import install, rebuild

    install(schema_editor.connection)
    rebuild(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0004_drop_redundant_fk_indexes"),
    ]

    operations = [
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
