"""Search latency on a 300,000-comment synthetic archive, SQLite FTS5 and PostgreSQL.

For each engine a throw-away database (a temp SQLite file; `forum_bench_search` on the
PostgreSQL server of BENCH_PG_URL) gets 5,000 posts x 60 comments written in bulk with
the search triggers on, as an importer would. Then 20 typical queries (one word, two
words, a phrase, each also with a year filter) run three ways in the same process:
the search API without HTTP or template (`search.results.find`: facets, then the first
ranked page with snippets and its posts), the whole /search/ page
through Django's test client (FilterSet, facets, snippets, template), and the naive
`icontains` equivalent (count + newest 20 of posts and comments). Page timings are of
repeated requests after one warm-up per query; `page_first_hit` is that warm-up request
(the site caches no search results, so it differs only by the database's page cache).
The child runs with DEBUG=0, as production does, and the search rate limits raised out
of the way (their counting stays in every page's time). Then hostile searches (many
phrases, many OR alternatives, common words, a long phrase, "most commented" over a
quarter of the archive) go through the page, and the slowest one's median is the
"worst search page": what one request can cost with the caps and the time budget of
issue 15 (each also says whether it was answered, cut or stopped as too broad). The
database is dropped afterwards. Prints markdown tables; writes bench-results/search.json.

    .venv/bin/python tests/benchmarks/bench_search.py            # both engines
    BENCH_SEARCH_POSTS=500 .venv/bin/python tests/benchmarks/bench_search.py   # quicker
"""

from __future__ import annotations

import datetime
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from itertools import accumulate
from pathlib import Path

from production import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]
POSTS = int(os.environ.get("BENCH_SEARCH_POSTS", "5000"))
COMMENTS_PER_POST = 60
REPEATS = 5
NAIVE_REPEATS = 1
PG_SERVER = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PG_DATABASE = "forum_bench_search"

# (text, year or None): one word, two words, a phrase, and the same with a year filter.
QUERIES = [
    ("probation", None),
    ("napo", None),
    ("grayling", None),
    ("severance", None),
    ("inspection", None),
    ("prison staff", None),
    ("probation officers", None),
    ("community payback", None),
    ("chief executive", None),
    ("crc managers", None),
    ('"probation service"', None),
    ('"prison staff"', None),
    ('"community rehabilitation"', None),
    ('"chris grayling"', None),
    ('"through the gate"', None),
    ("probation", 2015),
    ("napo", 2017),
    ("prison staff", 2013),
    ('"probation service"', 2019),
    ("inspection report", 2016),
]

# Searches built to be slow, each with its sort: the 16 quoted phrases, phrases
# holding stop words (checked against the text on PostgreSQL), the most common words,
# many OR alternatives, one very long phrase, and "most commented", which ranks every
# match. The parser's caps cut most of them; the time budget stops what is left.
COMMON = (
    "probation service staff prison napo officers work people "
    "crc community would chief court time years managers"
).split()
HOSTILE = [
    ("16 phrases with stop words", " ".join(f'"the {w}"' for w in COMMON), "relevance"),
    ("16 such phrases, OR-ed", " OR ".join(f'"the {w}"' for w in COMMON), "relevance"),
    (
        "a word, 15 such phrases excluded",
        "probation " + " ".join(f'-"the {w}"' for w in COMMON[1:]),
        "relevance",
    ),
    ("4 phrases of stop words", '"of the" "in the" "to the" "it is"', "relevance"),
    ("16 common words", " ".join(COMMON), "relevance"),
    ("16 common words, OR-ed", " OR ".join(COMMON), "relevance"),
    ("a 60-word phrase", '"' + " ".join(["the probation service"] * 20) + '"', "relevance"),
    ("2 common words OR-ed, most commented", "probation OR prison", "comments"),
    ("a common word, most commented", "probation", "comments"),
]


# ---------------------------------------------------------------- parent process


def main() -> int:
    results = {}
    for engine in ("sqlite", "postgresql"):
        env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "DATABASE_URL")}
        env.update(PRODUCTION_ENV, DJANGO_SETTINGS_MODULE="config.settings")
        # Measure searches, not the limiter (its counting stays in every page's time).
        env.update(FORUM_SEARCH_RATE="1000000/m", FORUM_SEARCH_SLOW_RATE="1000000/m")
        if engine == "sqlite":
            handle, path = tempfile.mkstemp(prefix="bench_search_", suffix=".sqlite3")
            os.close(handle)
            env["DATABASE_URL"] = f"sqlite:///{path}"
        else:
            if not _pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE}"):
                print(f"PostgreSQL not reachable at {PG_SERVER}: skipped.")
                continue
            _pg_admin(f"CREATE DATABASE {PG_DATABASE}")
            env["DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
        try:
            out = subprocess.run(
                [sys.executable, __file__, "--child"],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            if out.returncode != 0:
                print(out.stdout, out.stderr)
                return 1
            results[engine] = json.loads(out.stdout.strip().splitlines()[-1])
        finally:
            if engine == "sqlite":
                for suffix in ("", "-wal", "-shm"):
                    Path(path + suffix).unlink(missing_ok=True)
            else:
                _pg_admin(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
    print(_table(results))
    out_dir = ROOT / "bench-results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "search.json").write_text(json.dumps(results, indent=2))
    return 0


def _pg_admin(sql: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as c:
            c.execute(sql)
        return True
    except Exception:  # noqa: BLE001 - any failure means "no usable server"
        return False


def _table(results: dict) -> str:
    lines = [
        "| engine | comments | import with triggers | rebuild_search_index | way | "
        "median ms | p95 ms | vs icontains (median) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for engine, r in results.items():
        naive = r["icontains"]["median_ms"]
        for way in ("backend", "page", "page_first_hit", "icontains"):
            m = r[way]
            lines.append(
                f"| {engine} | {r['comments']:,} | {r['import_s']:.0f} s | {r['rebuild_s']:.1f} s "
                f"| {way} | {m['median_ms']:.1f} | {m['p95_ms']:.1f} "
                f"| {naive / m['median_ms']:.0f}x |"
            )
    lines += [
        "",
        "| engine | hostile search | sort | page median ms | outcome |",
        "|---|---|---|---|---|",
    ]
    for engine, r in results.items():
        for name, m in r["hostile"]["searches"].items():
            lines.append(
                f"| {engine} | {name} | {m['sort']} | {m['median_ms']:.0f} | {m['outcome']} |"
            )
    for engine, r in results.items():
        worst = r["hostile"]["worst"]
        lines.append(
            f"\n{engine}: worst search page {worst['median_ms']:.0f} ms ({worst['name']}), "
            f"time budget {r['hostile']['budget_ms']} ms"
        )
    for engine, r in results.items():
        if "shared_buffers" in r:
            lines.append(
                f"\n{engine}: shared_buffers {r['shared_buffers']}, "
                f"search_document with its indexes {r['search_table']}"
            )
    return "\n".join(lines)


# ---------------------------------------------------------------- child process


def child() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the page links its CSS
    started = time.perf_counter()
    comments = build_archive()
    import_s = time.perf_counter() - started
    started = time.perf_counter()
    call_command("rebuild_search_index", verbosity=0)
    rebuild_s = time.perf_counter() - started
    report = {"comments": comments, "import_s": import_s, "rebuild_s": rebuild_s}
    report.update(server_memory())
    report.update(measure())
    print(json.dumps(report))


def server_memory() -> dict:
    """PostgreSQL's buffer cache beside the search table's size: whether the table fits
    decides the searches that read most of it (the p95), so each run says which."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('shared_buffers'), "
            "pg_size_pretty(pg_total_relation_size('search_document'))"
        )
        shared_buffers, table = cursor.fetchone()
    return {"shared_buffers": shared_buffers, "search_table": table}


def sentences() -> list[list[str]]:
    """Real sentences of the sample archive, as word lists: realistic words and phrases."""
    text = " ".join(
        p.read_text(encoding="utf-8")
        for p in sorted((ROOT / "archive_import/sample_archive").glob("*.txt"))
    )
    found = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n\s*\n", text):
        words = re.findall(r"[A-Za-z£0-9'’-]+", sentence)
        if 4 <= len(words) <= 40:
            found.append(words)
    return found


def build_archive() -> int:
    """5,000 posts x 60 comments (40 top-level, 20 replies; a few removed or pending),
    written with bulk INSERTs and the search triggers on; trees from forum.trees.layout."""
    from django.db import connection, transaction
    from django.utils import timezone
    from django.utils.html import escape

    from forum.models import Comment, CommentStatus, Post
    from forum.trees import Node, layout

    rng = random.Random(2010)
    pool = sentences()
    frequency = Counter(w.lower() for s in pool for w in s)
    vocabulary, cumulative = list(frequency), list(accumulate(frequency.values()))

    def paragraph(low: int, high: int) -> str:
        """Words drawn with the blog's own word frequencies (so a word as common as
        "probation" is in about a quarter of all comments, a rare one in few), and now and
        then a real sentence, so that real phrases exist without every sentence recurring
        hundreds of times."""
        words = []
        for _ in range(rng.randint(low, high)):
            if rng.random() < 0.1:
                words += rng.choice(pool)
            else:
                words += rng.choices(vocabulary, cum_weights=cumulative, k=rng.randint(8, 24))
        return " ".join(words)

    def status() -> str:
        roll = rng.random()
        if roll < 0.03:
            return CommentStatus.REMOVED
        return CommentStatus.PENDING if roll < 0.04 else CommentStatus.PUBLISHED

    first_day, now = datetime.date(2010, 9, 1), timezone.now()
    days = (datetime.date(2025, 6, 30) - first_day).days
    next_id = 0
    with transaction.atomic():
        for start in range(1, POSTS + 1, 250):
            posts, comments = [], []
            for post_id in range(start, min(start + 250, POSTS + 1)):
                date = first_day + datetime.timedelta(days=post_id * days // POSTS)
                body = paragraph(3, 8)
                title = " ".join(rng.choice(pool)[:6])
                posts.append(
                    Post(
                        id=post_id,
                        date=date,
                        year=date.year,
                        month=date.month,
                        title=f"{title} ({post_id})",
                        slug=f"post-{post_id}",
                        body=body,
                        body_html=f"<p>{escape(body)}</p>",
                        source_file="bench",
                    )
                )
                root, next_id = next_id + 1, next_id + 1
                tree, paths = [Node(root, None)], {}
                replies: dict[int, int] = {}
                for number in range(1, COMMENTS_PER_POST + 1):
                    next_id += 1
                    if number <= 40:
                        tree.append(Node(next_id, root, number))
                        paths[next_id] = str(number)
                    else:
                        parent = rng.randrange(root + 1, root + 41)
                        replies[parent] = replies.get(parent, 0) + 1
                        tree.append(Node(next_id, parent, replies[parent]))
                        paths[next_id] = f"{paths[parent]}.{replies[parent]}"
                places = layout(tree)
                for node in tree:
                    place = places[node.id]
                    fields = dict(
                        id=node.id,
                        post_id=post_id,
                        parent_id=node.parent_id,
                        tree_id=post_id,
                        lft=place.lft,
                        rght=place.rght,
                        level=place.level,
                    )
                    if node.parent_id is None:
                        comments.append(Comment(**fields))
                        continue
                    state = status()
                    body = "" if state == CommentStatus.REMOVED else paragraph(1, 4)
                    comments.append(
                        Comment(
                            **fields,
                            number=node.number,
                            path=paths[node.id],
                            status=state,
                            body=body,
                            body_html=f"<p>{escape(body)}</p>",
                            created_at=now,
                            published_at=now,
                            source_file="bench",
                        )
                    )
            Post.objects.bulk_create(posts)
            Comment.objects.bulk_create(comments, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Comment.objects.comments().count()


def measure() -> dict:
    from django.db.models import Q
    from django.test import Client

    from forum.models import Comment, Post
    from search.backends import Sort, backend_for
    from search.filters import SearchFilterSet
    from search.models import SearchDocument
    from search.query import parse
    from search.results import Results, find

    client = Client(HTTP_HOST="localhost")
    backend = backend_for()

    def search(text: str, year: int | None) -> Results:
        filterset = SearchFilterSet(
            {"year": str(year)} if year else {}, queryset=SearchDocument.objects.all()
        )
        assert filterset.is_valid()
        return find(backend, parse(text), Sort.RELEVANCE, filterset)[1]

    def through_backend(text: str, year: int | None) -> None:
        search(text, year)[0:20]

    def through_page(text: str, year: int | None) -> None:
        response = client.get("/search/", {"q": text, **({"year": year} if year else {})})
        assert response.status_code == 200 and b"search-total" in response.content

    def icontains(text: str, year: int | None) -> None:
        query = parse(text)
        needles = [" ".join(t.words) for t in query.groups[0]]
        posts, comments = Post.objects.published(), Comment.objects.published()
        for needle in needles:
            posts = posts.filter(Q(title__icontains=needle) | Q(body__icontains=needle))
            comments = comments.filter(body__icontains=needle)
        if year:
            posts, comments = posts.filter(year=year), comments.filter(post__year=year)
        posts.count()
        comments.count()
        list(posts.order_by("-date")[:20])
        list(comments.select_related("post").order_by("-post__date", "-id")[:20])

    report = {}
    first_hits: list[float] = []
    for way, run, repeats in (
        ("backend", through_backend, REPEATS),
        ("page", through_page, REPEATS),
        ("icontains", icontains, NAIVE_REPEATS),
    ):
        timings, per_query = [], {}
        for text, year in QUERIES:
            if way != "icontains":  # a full scan gains nothing from a warm-up
                started = time.perf_counter()
                run(text, year)  # warm the caches once, as a busy site would be
                if way == "page":
                    first_hits.append((time.perf_counter() - started) * 1000)
            own = []
            for _ in range(repeats):
                started = time.perf_counter()
                run(text, year)
                own.append((time.perf_counter() - started) * 1000)
            timings += own
            per_query[f"{text}{f' year={year}' if year else ''}"] = round(statistics.median(own), 2)
        timings.sort()
        report[way] = {
            "median_ms": statistics.median(timings),
            "p95_ms": timings[int(len(timings) * 0.95) - 1],
            "per_query_median_ms": per_query,
        }
    # The page's first request per query (nothing cached by the site; the database's
    # own page cache as the backend runs left it).
    first_hits.sort()
    report["page_first_hit"] = {
        "median_ms": statistics.median(first_hits),
        "p95_ms": first_hits[int(len(first_hits) * 0.95) - 1],
    }
    matches = {}
    for text, year in QUERIES:
        matches[f"{text}{f' year={year}' if year else ''}"] = search(text, year).total
    report["matches"] = matches
    report["hostile"] = hostile(client)
    return report


def outcome_of(html: str) -> str:
    """What the reader of a search page got: results, a cut search, or "too broad"."""
    if "too broad" in html:
        outcome = "too broad"
    else:
        total = re.search(r'class="search-total" role="status">([^<]*)<', html)
        outcome = total.group(1) if total else "?"
    return f"cut, {outcome}" if "only part of it was used" in html else outcome


def hostile(client) -> dict:
    """The HOSTILE searches through the page: median time and what the reader got."""
    from django.conf import settings

    searches = {}
    for name, text, sort in HOSTILE:
        client.get("/search/", {"q": text, "sort": sort})  # warm-up, as above
        own, outcomes = [], Counter()
        for _ in range(REPEATS):
            started = time.perf_counter()
            response = client.get("/search/", {"q": text, "sort": sort})
            own.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (name, response.status_code)
            outcomes[outcome_of(response.content.decode())] += 1
        # Whether a search ends within the budget can change from run to run.
        outcome = ", ".join(
            what if n == REPEATS else f"{what} ({n} of {REPEATS})" for what, n in outcomes.items()
        )
        searches[name] = {
            "sort": sort,
            "median_ms": round(statistics.median(own), 1),
            "outcome": outcome,
        }
    worst = max(searches, key=lambda name: searches[name]["median_ms"])
    return {
        "budget_ms": settings.FORUM_SEARCH_BUDGET_MS,
        "searches": searches,
        "worst": {"name": worst, "median_ms": searches[worst]["median_ms"]},
    }


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        sys.exit(main())
