"""django-dbbackup's SQLite connector, made safe for a database in WAL mode.

dbbackup backs SQLite up with the online backup API (safe while the site runs), but
restores by writing the backup over the database file. The site runs SQLite in WAL mode:
a process that still has the database open (a worker someone forgot to stop) keeps
frames of the old database in the `-wal` file, and on closing it checkpoints them into
the restored file. Measured here: 30 comments written before the restore came back after
it, silently. This connector restores through the same backup API instead, into the live
database: SQLite writes every page through its own locking and WAL, so the restore is one
transaction that every connection sees whole.

Stop the app servers and workers before restoring all the same: a request in flight
would write to a database about to be replaced.
"""

from __future__ import annotations

import sqlite3
from shutil import copyfileobj
from tempfile import NamedTemporaryFile

from dbbackup.db.sqlite import SqliteBackupConnector


class SqliteConnector(SqliteBackupConnector):
    def restore_dump(self, dump) -> None:
        with NamedTemporaryFile(suffix=".sqlite3") as copy:
            copyfileobj(dump, copy)
            copy.flush()
            source = sqlite3.connect(copy.name)
            try:
                self.connection.ensure_connection()
                source.backup(self.connection.connection)
            finally:
                source.close()
