"""The operator's restore drill: back up, lose the database, restore, and the whole site
is back: every user, comment of every status, flag, log entry, mail, task and search
result (tests/backup_drill.py compares every table of every model, row by row).

Each drill runs the shipped commands (`manage.py dbbackup` / `dbrestore`) in child
processes against a database of its own: a SQLite file, or a PostgreSQL database named
after this run's (`<name>_drill`) on the same server.
"""

import json
import os
import sqlite3
import subprocess
from contextlib import closing

import dj_database_url
import psycopg
import pytest
from psycopg import sql

from forum.models import CommentStatus

from .servers import PYTHON, ROOT, manage, python, site_env


def drill(command: str, env: dict[str, str], stdin: str = "") -> str:
    result = python("-m", "tests.backup_drill", command, env=env, stdin=stdin)
    assert result.returncode == 0, result.stderr
    return result.stdout


def fingerprint(env: dict[str, str]) -> dict:
    return json.loads(drill("fingerprint", env))


def assert_everything_is_there(seeded: dict) -> None:
    """The seed holds what the drill promises to bring back."""
    tables = seeded["tables"]
    assert seeded["comment_statuses"] == sorted(CommentStatus.values)
    for label in [
        "accounts.User",
        "account.EmailAddress",
        "moderation.Flag",
        "moderation.LogEntry",
    ]:
        assert tables[label]["rows"] > 0, label
    for label in ["outbox.Mail", "django_tasks_database.DBTaskResult", "sessions.Session"]:
        assert tables[label]["rows"] > 0, label
    assert all(seeded["searches"].values()), seeded["searches"]


def backups(env: dict[str, str]) -> list[str]:
    return sorted(name for name in os.listdir(env["BACKUP_DIR"]) if not name.endswith(".metadata"))


def the_site_goes_on(env: dict[str, str]) -> None:
    """New comments get new ids and numbers (sequences came back too), trees stay valid."""
    drill("hold", env, stdin="\n")
    assert "all valid" in manage("check_comment_trees", env=env).stdout


def sqlite_env(database, backups) -> dict[str, str]:
    return site_env(
        DATABASE_URL=f"sqlite:///{database}", BACKUP_DIR=str(backups), LOG_LEVEL="WARNING"
    )


@pytest.fixture(scope="module")
def seeded_sqlite(tmp_path_factory):
    """One migrated and seeded SQLite file, copied by each test (migrating is slow)."""
    database = tmp_path_factory.mktemp("seeded") / "forum.sqlite3"
    env = sqlite_env(database, database.parent)
    manage("migrate", "--noinput", env=env)
    drill("seed", env)
    return database


@pytest.fixture
def sqlite_site(seeded_sqlite, tmp_path):
    database = tmp_path / "forum.sqlite3"
    with (
        closing(sqlite3.connect(seeded_sqlite)) as source,
        closing(sqlite3.connect(database)) as copy,
    ):
        source.backup(copy)
    return database, sqlite_env(database, tmp_path / "backups")


def test_a_lost_sqlite_database_comes_back_whole(sqlite_site):
    database, env = sqlite_site
    before = fingerprint(env)
    assert_everything_is_there(before)

    manage("dbbackup", "--noinput", env=env)
    assert len(backups(env)) == 1
    for path in database.parent.glob(database.name + "*"):  # the file, its -wal and -shm
        path.unlink()
    manage("dbrestore", "--noinput", env=env)

    assert fingerprint(env) == before
    the_site_goes_on(env)


def test_a_sqlite_restore_is_not_undone_by_a_process_left_running(sqlite_site):
    """A worker still holding the database open (with its writes in the -wal file) while
    the backup is restored: the restore stands, and its later writes land on top of it.
    (Written over the file, as dbbackup does by default, the old -wal came back.)"""
    database, env = sqlite_site
    manage("dbbackup", "--noinput", env=env)
    before = fingerprint(env)
    holder = subprocess.Popen(
        [PYTHON, "-m", "tests.backup_drill", "hold"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "wrote"
        manage("dbrestore", "--noinput", env=env)
        assert fingerprint(env) == before
    finally:
        holder.communicate("\n", timeout=120)
    assert holder.returncode == 0

    after = fingerprint(env)
    comments = before["tables"]["forum.Comment"]["rows"]
    assert after["tables"]["forum.Comment"]["rows"] == comments + 5
    check = subprocess.run(
        ["sqlite3", str(database), "PRAGMA integrity_check"], capture_output=True, text=True
    )
    assert check.stdout.strip() == "ok"


def _maintenance(url: dict):
    return psycopg.connect(
        host=url["HOST"],
        port=url["PORT"] or 5432,
        user=url["USER"],
        dbname="postgres",
        password=url["PASSWORD"] or None,
        autocommit=True,
    )


@pytest.fixture
def postgres_site(tmp_path):
    url = dj_database_url.parse(os.environ["DATABASE_URL"])
    url["NAME"] = f"{url['NAME']}_drill"
    name = sql.Identifier(url["NAME"])

    def recreate() -> None:
        with _maintenance(url) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(name))

    recreate()
    address = f"{url['HOST']}:{url['PORT'] or 5432}/{url['NAME']}"
    credentials = url["USER"] + (f":{url['PASSWORD']}" if url["PASSWORD"] else "")
    env = site_env(
        DATABASE_URL=f"postgres://{credentials}@{address}",
        BACKUP_DIR=str(tmp_path / "backups"),
        LOG_LEVEL="WARNING",
    )
    manage("migrate", "--noinput", env=env)
    drill("seed", env)
    yield recreate, env
    with _maintenance(url) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))


@pytest.mark.postgres_only
def test_a_postgresql_site_comes_back_whole_over_changes_and_after_a_loss(postgres_site):
    recreate, env = postgres_site
    before = fingerprint(env)
    assert_everything_is_there(before)
    manage("dbbackup", "--noinput", env=env)

    # A bad change after the backup: the restore puts the backup's state back.
    drill("hold", env, stdin="\n")
    assert fingerprint(env) != before
    manage("dbrestore", "--noinput", env=env)
    assert fingerprint(env) == before

    # The database lost altogether: restored into an empty one.
    recreate()
    manage("dbrestore", "--noinput", env=env)
    assert fingerprint(env) == before
    the_site_goes_on(env)
