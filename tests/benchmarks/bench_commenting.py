"""Posting comments: what one comment costs, and many readers posting at once.

For each engine (a temporary SQLite file; a temporary PostgreSQL database when a server
answers at BENCH_PG_URL), in a subprocess of its own:

1. Sequential: a staff reader posts 50 top-level comments through the real view (form,
   moderation.rules.decide, forum.threads.add_comment under the post lock, redirect) into
   a post with 10 comments and into one with 1,000 (mptt shifts lft/rght of every node
   after the insert point): median ms and queries per comment.
2. Concurrent (PostgreSQL only; SQLite serialises writers): 50 readers, one thread each,
   post 4 comments each into one post at the same time: wall time, comments/s, and
   whether every comment landed with distinct numbers and check_comment_trees is clean.

Prints a markdown table and writes bench-results/bench_commenting.json.
    .venv/bin/python tests/benchmarks/bench_commenting.py
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench-results" / "bench_commenting.json"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
SEQUENTIAL = 50
READERS, EACH = 50, 4


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["FORUM_PAGE_CACHE_SECONDS"] = "0"
    os.environ["FORUM_COMMENT_RATE"] = "100000/m"  # measure the insert, not the limiter
    os.environ.pop("CACHE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def moderator_clients(n: int, prefix: str) -> list:
    """Logged-in test clients of moderators (who publish directly: every comment is
    numbered, the most expensive path)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from moderation.groups import moderators_group

    user_model = get_user_model()
    users = user_model.objects.bulk_create(
        user_model(username=f"{prefix}{i}", email=f"{prefix}{i}@example.org", is_staff=True)
        for i in range(n)
    )
    moderators_group().user_set.add(*users)
    clients = []
    for user in users:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        clients.append(client)
    return clients


def sequential(size: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tests.bulk import bulk_thread
    from tests.factories import PostFactory

    post = PostFactory(title=f"Sequential into {size}")
    bulk_thread(post, size // 2, 1)
    (client,) = moderator_clients(1, f"seq{size}-")
    url = reverse("forum:comment_create", args=[post.pk])
    times, queries = [], []
    for n in range(SEQUENTIAL):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.post(url, {"body": f"Sequential comment {n}", "anonymous": "on"})
            times.append(time.perf_counter() - began)
        assert response.status_code == 302, response.status_code
        queries.append(len(captured))
    return {
        "thread_size": size,
        "median_ms": round(statistics.median(times) * 1000, 1),
        "p90_ms": round(sorted(times)[int(len(times) * 0.9)] * 1000, 1),
        "queries": statistics.median(queries),
    }


def concurrent() -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse

    from forum.models import Comment
    from tests.factories import PostFactory

    post = PostFactory(title="Everyone at once")
    clients = moderator_clients(READERS, "con-")
    url = reverse("forum:comment_create", args=[post.pk])
    barrier = threading.Barrier(READERS)
    failures: list = []

    def worker(index: int) -> None:
        try:
            barrier.wait()
            for n in range(EACH):
                code = clients[index].post(url, {"body": f"r{index} c{n}", "anonymous": "on"})
                if code.status_code != 302:
                    failures.append(code.status_code)
        except Exception as error:  # counted in the figures, not hidden
            failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(READERS)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    numbers = list(Comment.objects.comments().filter(post=post).values_list("number", flat=True))
    out = StringIO()
    try:
        call_command("check_comment_trees", stdout=out, stderr=out)
        trees_clean = True
    except Exception:
        trees_clean = False
    return {
        "readers": READERS,
        "comments": READERS * EACH,
        "landed": len(numbers),
        "distinct_numbers": len(set(numbers)) == len(numbers) == READERS * EACH,
        "failures": len(failures),
        "wall_s": round(wall, 2),
        "comments_per_s": round(READERS * EACH / wall, 1),
        "trees_clean": trees_clean,
    }


def run_engine(engine: str, database_url: str) -> None:
    """Child process: one engine's figures as JSON on the last line of stdout."""
    setup_django(database_url)
    figures = {"engine": engine, "sequential": [sequential(10), sequential(1000)]}
    if engine == "postgresql":
        figures["concurrent"] = concurrent()
    print(json.dumps(figures))


def postgres_available() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_URL + "/postgres", connect_timeout=3).close()
        return True
    except Exception:
        return False


def child(engine: str, database_url: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--engine", engine, database_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--engine":
        run_engine(sys.argv[2], sys.argv[3])
        return 0
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-commenting-") as tmp:
        results.append(child("sqlite", f"sqlite:///{tmp}/bench.sqlite3"))
    if postgres_available():
        import psycopg

        name = f"bench_commenting_{os.getpid()}"
        with psycopg.connect(PG_URL + "/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            results.append(child("postgresql", f"{PG_URL}/{name}"))
        finally:
            with psycopg.connect(PG_URL + "/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        print(f"PostgreSQL not reachable at {PG_URL}: SQLite figures only")

    print("\n| engine | thread size | median ms / comment | p90 ms | queries / comment |")
    print("|---|---:|---:|---:|---:|")
    for result in results:
        for row in result["sequential"]:
            print(
                f"| {result['engine']} | {row['thread_size']} | {row['median_ms']} "
                f"| {row['p90_ms']} | {row['queries']:g} |"
            )
    for result in results:
        if "concurrent" in result:
            c = result["concurrent"]
            print(
                f"\n{c['readers']} readers x {EACH} comments at once on PostgreSQL: "
                f"{c['landed']}/{c['comments']} landed in {c['wall_s']} s "
                f"({c['comments_per_s']} comments/s), distinct numbers: "
                f"{c['distinct_numbers']}, failures: {c['failures']}, "
                f"check_comment_trees clean: {c['trees_clean']}"
            )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
