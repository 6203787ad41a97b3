"""Drop the foreign keys' own indexes: the constraints and the (post, kind) index lead
with the same columns, and each index more is one more write per indexed comment.

Only the indexes are dropped, by name: an AlterField would make SQLite copy the table,
which drops the FTS5 triggers on it, and PostgreSQL would drop the partial unique index.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = {
    "search_document_post_id_29d8f807": "post_id",
    "search_document_comment_id_76b3dc1f": "comment_id",
}


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0001_initial"),
        ("search", "0003_date_ordered_keys"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    f'CREATE INDEX "{name}" ON "search_document" ("{column}")',
                )
                for name, column in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="searchdocument",
                    name="comment",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="forum.comment",
                    ),
                ),
                migrations.AlterField(
                    model_name="searchdocument",
                    name="post",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="forum.post",
                    ),
                ),
            ],
        ),
    ]
