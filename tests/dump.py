"""The whole database as text, to search for what must not be there (an address, a name,
an IP): `dumpdata` of every app, every row of every table read raw (tables without a
model too, such as SQLite's FTS5 index and its shadow tables), and on SQLite the
connection's own `iterdump()`."""

from io import StringIO

from django.core.management import call_command
from django.db import connection


def database_text() -> str:
    out = StringIO()
    call_command("dumpdata", format="json", indent=0, stdout=out)
    parts = [out.getvalue()]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(include_views=False):
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 - names from the catalogue
            parts += [repr(row) for row in cursor.fetchall()]
    if connection.vendor == "sqlite":
        parts += list(connection.connection.iterdump())
    return "\n".join(parts)
