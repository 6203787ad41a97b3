"""The moderation queue at archive scale, on SQLite and PostgreSQL.

A temporary database holds 1,500 posts with 40 published comments each (60,000, written
in bulk like the importer), 1,000 pending comments from 300 accounts inserted one by one
through forum.threads.add_comment, and 200 reader flags. Then, through Django's test
client logged in as a moderator: the queue page (default view, by post, by author), the
admin index with its "waiting" count, publishing 50 comments with one bulk action, and
moderation.rules.decide() for a trusted account. Median wall time and query counts.

Prints a markdown table and writes bench-results/bench_moderation.json.
    .venv/bin/python tests/benchmarks/bench_moderation.py
"""

from __future__ import annotations

import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
POSTS = int(os.environ.get("BENCH_MODERATION_POSTS", "1500"))
PER_POST = 40
PENDING = 1000
AUTHORS = 300
FLAGS = 200
RUNS = 15


ENGINES = {
    "sqlite": "sqlite:////tmp/bench_moderation.sqlite3",
    "postgresql": os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
    + "/forum_bench_moderation",
}


def main() -> int:
    """Run the child once per engine; each child builds and drops its own test database."""
    results = {}
    for engine, url in ENGINES.items():
        env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
        env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings")
        run = [sys.executable, __file__, "--child"]
        out = subprocess.run(run, env=env, cwd=ROOT, capture_output=True, text=True)
        if out.returncode != 0:
            print(f"{engine}: failed or unreachable, skipped\n{out.stderr[-2000:]}")
            continue
        results[engine] = json.loads(out.stdout.strip().splitlines()[-1])
    print(_table(results))
    out_dir = ROOT / "bench-results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "bench_moderation.json").write_text(json.dumps(results, indent=2))
    return 0 if results else 1


def _table(results: dict) -> str:
    lines = ["| engine | what | median ms | queries |", "|---|---|---|---|"]
    for engine, r in results.items():
        lines.append(
            f"| {engine} | setup: {r['comments']:,} comments, {r['pending']:,} pending | "
            f"{r['setup_s']:.0f} s (build) | |"
        )
        for name, m in r["timings"].items():
            lines.append(f"| {engine} | {name} | {m['median_ms']:.2f} | {m['queries']} |")
    return "\n".join(lines)


# ---------------------------------------------------------------- child process


def child() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # locmem mail (notifications fire) and the test client's host
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from forum.models import Comment, CommentStatus, Post
    from forum.threads import add_comment
    from moderation.models import Flag
    from moderation.rules import decide
    from tests.bulk import bulk_thread
    from tests.factories import PostFactory, UserFactory, moderator

    began = time.perf_counter()
    # A throwaway "test_" database beside the named one, dropped at the end.
    old_database_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    start = datetime.date(2010, 9, 1)
    for n in range(POSTS):
        post = PostFactory(date=start + datetime.timedelta(days=n), title=f"Bench post {n}")
        bulk_thread(post, PER_POST // 2, 1)
    posts = list(Post.objects.order_by("pk")[:200])
    authors = [UserFactory(username=f"bench{n}") for n in range(AUTHORS)]
    for n in range(PENDING):
        add_comment(
            posts[n % len(posts)],
            None,
            body=f"Held comment {n} with a link https://example.org/{n}",
            author=authors[n % AUTHORS],
            status=CommentStatus.PENDING,
        )
    published = list(Comment.objects.published().order_by("pk")[:FLAGS])
    Flag.objects.bulk_create(
        Flag(comment=c, user=authors[i % AUTHORS], reason="spam") for i, c in enumerate(published)
    )
    setup_s = time.perf_counter() - began

    client = Client()
    client.force_login(moderator(username="bench-mod"))
    queue = reverse("admin:forum_comment_changelist")
    some_author = authors[7]
    pages = {
        "queue page (50 rows)": queue,
        "queue filtered by post": f"{queue}?post={posts[3].pk}",
        "queue filtered by author": f"{queue}?author={some_author.pk}&status=all",
        "admin index with waiting count": reverse("admin:index"),
    }
    timings = {}
    for name, url in pages.items():
        client.get(url)
        times = []
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as queries:
                t = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - t)
            assert response.status_code == 200, (name, response.status_code)
        timings[name] = {"median_ms": statistics.median(times) * 1000, "queries": len(queries)}

    batches = []
    for _ in range(3):
        ids = list(
            Comment.objects.pending().order_by("created_at").values_list("pk", flat=True)[:50]
        )
        with CaptureQueriesContext(connection) as queries:
            t = time.perf_counter()
            client.post(queue, {"action": "publish", "_selected_action": ids, "index": 0})
            batches.append(time.perf_counter() - t)
    timings["publish 50 with one action"] = {
        "median_ms": statistics.median(batches) * 1000,
        "queries": len(queries),
    }

    trusted = authors[0]
    for _ in range(3):
        bulk_post = posts[0]
        add_comment(bulk_post, None, body="ok", author=trusted, status=CommentStatus.PUBLISHED)
    calls = []
    for _ in range(200):
        with CaptureQueriesContext(connection) as queries:
            t = time.perf_counter()
            decision = decide(trusted, posts[1], "A plain comment about probation.")
            calls.append(time.perf_counter() - t)
    assert decision.status == CommentStatus.PUBLISHED
    timings["decide() for a trusted account"] = {
        "median_ms": statistics.median(calls) * 1000,
        "queries": len(queries),
    }
    figures = {
        "comments": Comment.objects.comments().count(),
        "pending": PENDING,
        "setup_s": setup_s,
        "timings": timings,
    }
    connection.creation.destroy_test_db(old_database_name, verbosity=0)
    print(json.dumps(figures))


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        sys.exit(main())
