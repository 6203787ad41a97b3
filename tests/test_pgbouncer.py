"""Behind pgbouncer in transaction pooling: each transaction may run on another server
connection, so nothing may outlive a transaction on the server (a cursor held between
fetches). pgbouncer runs here with `server_round_robin` and a warm pool, so consecutive
transactions really do land on different server connections, every time.

Needs Debian's pgbouncer (`.ci/run` installs it); skipped without it outside CI."""

import os
import threading
from pathlib import Path

import dj_database_url
import psycopg
import pytest
from django.db import connection

from archive_import.management.commands.export_archive import Command as Export
from tests.factories import PostFactory, comment

from .servers import free_port, manage, python, site_env, start_pgbouncer, stop

pytestmark = pytest.mark.postgres_only

ITERATE = """
import django
django.setup()
from forum.models import Post
print(sum(1 for _ in Post.objects.iterator(chunk_size=2)))
"""

SITE = """
import django
django.setup()
from django.test import Client
from forum.models import Post
from tests.factories import verified_user
post = Post.objects.first()
client = Client(HTTP_HOST="localhost")
print(client.get("/readyz").status_code, client.get(post.get_absolute_url()).status_code)
client.force_login(verified_user())
response = client.post(f"/posts/{post.pk}/comment/", {"body": "Through the pool."})
print(response.status_code)
"""


@pytest.fixture
def pgbouncer(tmp_path, transactional_db):
    """pgbouncer in front of this run's PostgreSQL; the URL of the test database through it."""
    port = free_port()
    server = start_pgbouncer(tmp_path, port, round_robin=True)
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@127.0.0.1:{port}/{settings['NAME']}"
    yield url
    stop(server)


def warm(url: str, connections: int = 4) -> None:
    """Open several server connections at once, so the pool has them to rotate through."""
    params = dj_database_url.parse(url)
    barrier = threading.Barrier(connections)

    def hold() -> None:
        with psycopg.connect(
            host="127.0.0.1", port=params["PORT"], user=params["USER"], dbname=params["NAME"]
        ) as conn:
            with conn.transaction():
                conn.execute("SELECT 1")
                barrier.wait(timeout=30)

    threads = [threading.Thread(target=hold) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def posts(count: int) -> None:
    for n in range(count):
        comment(PostFactory(), body=f"Comment on post {n}.")


def test_a_cursor_held_between_fetches_needs_the_pooling_setting(pgbouncer):
    """QuerySet.iterator() (allauth's admin uses it) keeps a server-side cursor open
    between fetches: through the pool it is lost, unless DATABASE_TRANSACTION_POOLING
    turns server-side cursors off."""
    posts(7)
    warm(pgbouncer)
    broken = python("-c", ITERATE, env=site_env(DATABASE_URL=pgbouncer))
    assert broken.returncode != 0
    assert "does not exist" in broken.stderr  # the cursor, on another server connection

    warm(pgbouncer)
    pooled = python(
        "-c", ITERATE, env=site_env(DATABASE_URL=pgbouncer, DATABASE_TRANSACTION_POOLING="1")
    )
    assert pooled.returncode == 0, pooled.stderr
    assert pooled.stdout.split() == ["7"]


def test_export_archive_through_the_pool_writes_what_a_direct_export_writes(pgbouncer, tmp_path):
    posts(12)
    direct, pooled = tmp_path / "direct", tmp_path / "pooled"
    Export().handle(out=str(direct), verbosity=0)
    warm(pgbouncer)
    # Without the setting: the export asks for no cursor that outlives its statement.
    manage("export_archive", "--out", str(pooled), env=site_env(DATABASE_URL=pgbouncer))
    names = sorted(os.listdir(direct))
    assert len(names) == 12 and sorted(os.listdir(pooled)) == names
    for name in names:
        assert Path(pooled, name).read_text() == Path(direct, name).read_text()


def test_the_site_reads_and_writes_through_the_pool(pgbouncer):
    posts(1)
    warm(pgbouncer)
    result = python(
        "-c", SITE, env=site_env(DATABASE_URL=pgbouncer, DATABASE_TRANSACTION_POOLING="1")
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "200", "302"]
