"""Index structures and triggers, per engine (FTS5 on SQLite, tsvector + GIN on PostgreSQL).

One migration for both engines: the code looks at schema_editor.connection.vendor.
"""

from django.db import migrations


def install(apps, schema_editor):
    from search.indexing import install, rebuild

    install(schema_editor.connection)
    rebuild(schema_editor.connection.alias)


def uninstall(apps, schema_editor):
    from search.indexing import uninstall

    uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0001_initial"),
        ("forum", "0001_initial"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
