"""Reading pages under load: render cost of big threads, then gunicorn under wrk.

1. A temporary SQLite database holds a synthetic blog from `generate_archive` +
   `import_archive`: 240 posts with about 6 comments each, plus posts with about 10, 200
   and 1,000 comments (every 20th of those citing an earlier one by number, `>>12`).
   The 1,000-comment thread is measured whole (`?page=all`) and as its first page of
   200 top-level comments. Each post page is rendered through Django's test client (page
   cache off): median time, median CPU time and query count; the 10- and 1,000-comment
   posts also for a logged-in reader (reply/remove/flag controls on every comment), and
   the 1,000-comment post for a moderator.
2. gunicorn (2 sync workers, DEBUG=0 after collectstatic) on a free loopback port, wrk
   for 30 s on the home page and the 200-comment post, with the Redis page cache
   (CACHE_URL), without it (FORUM_PAGE_CACHE_SECONDS=0), and with CACHE_URL on a closed
   port and on a server that accepts and never answers (Redis down: every page a miss):
   requests/s, median and p99 latency, errors.

Prints a markdown table and writes bench-results/bench_pages.json.
    .venv/bin/python tests/benchmarks/bench_pages.py [--seconds 30] [--skip-load]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from production import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.faults import SilentServer, closed_port  # noqa: E402

RESULTS = ROOT / "bench-results" / "bench_pages.json"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1")
RENDER_RUNS = 25
# Target sizes of the big threads; generate_archive draws the real count around them.
BIG_THREADS = (10, 200, 1000)
COMMENT_COUNTS: dict[str, int] = {}


def build_blog(db_path: Path, work: Path) -> dict[str, str]:
    """Migrate the temporary database and import a synthetic archive into it; returns the
    benchmark URLs. `generate_archive` dates its posts from the blog's first day, so each
    big thread, generated on its own, is moved to a date of its own (header rewritten)."""
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["FORUM_PAGE_CACHE_SECONDS"] = "0"
    os.environ.pop("CACHE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from forum.models import Comment, Post

    call_command("migrate", verbosity=0)
    dumps = work / "dumps"
    call_command(
        "generate_archive", posts=240, comments_per_post=6, out=str(dumps), seed=1, verbosity=0
    )
    big_dates = {}
    for seed, size in enumerate(BIG_THREADS, start=2):
        alone = work / f"thread-{size}"
        call_command(
            "generate_archive",
            posts=1,
            comments_per_post=size,
            out=str(alone),
            seed=seed,
            verbosity=0,
        )
        date = datetime.date(2020, 1, seed)
        text = (alone / "000000.txt").read_text(encoding="utf-8").split("\n", 1)[1]
        header = f"{date:%A}, {date.day} {date:%B %Y}"
        (dumps / f"thread-{size}.txt").write_text(f"{header}\n{text}", encoding="utf-8")
        big_dates[size] = date
    call_command("import_archive", str(dumps), verbosity=0)
    urls = {"home": "/"}
    for size, date in big_dates.items():
        post = Post.objects.get(date=date)
        urls[f"post_{size}"] = post.get_absolute_url()
        COMMENT_COUNTS[f"post_{size}"] = Comment.objects.comments().filter(post=post).count()
    # The 1,000-comment thread whole (it is paged by default) and its first page.
    big = Post.objects.get(date=big_dates[1000])
    urls["post_1000"] = big.get_absolute_url() + "?page=all"
    urls["post_1000_page_1"] = big.get_absolute_url()
    COMMENT_COUNTS["post_1000_page_1"] = len(
        Comment.objects.thread(big).filter(lft__lt=top_level_lft(big, 200))
    )
    cite_in_thread(big, every=20)
    return urls


def top_level_lft(post, n: int) -> int:
    """The `lft` of the post's (n + 1)th top-level comment: where its page n + 1 begins."""
    from forum.models import Comment

    tops = Comment.objects.visible().filter(post=post, level=1).order_by("lft")
    return tops.values_list("lft", flat=True)[n]


def cite_in_thread(post, every: int) -> None:
    """Turn every `every`th published comment into one written on the site citing an
    earlier comment by number, so the thread carries citation links and back-links."""
    from forum.models import Comment

    shown = list(Comment.objects.published().filter(post=post).order_by("lft"))
    for citer, cited in zip(shown[every::every], shown[::every], strict=False):
        citer.is_imported = False
        citer.body += f"\n\n>>{cited.path} quite so"
        citer.save()


def render_figures(urls: dict[str, str]) -> dict[str, dict]:
    """Median render time and query count of each page through Django's test client, and
    of the big thread for a logged-in reader (reply, remove and flag controls on each
    comment; never served from the page cache)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from moderation.groups import moderators_group

    anonymous = Client(HTTP_HOST="127.0.0.1")
    logged_in = Client(HTTP_HOST="127.0.0.1")
    logged_in.force_login(get_user_model().objects.create_user("bench-reader"))
    pages = [(name, url, anonymous) for name, url in urls.items()]
    pages += [(f"{name}_logged_in", urls[name], logged_in) for name in ("post_10", "post_1000")]
    # A moderator sees every comment, and decision forms on the hidden and flagged ones.
    moderating = Client(HTTP_HOST="127.0.0.1")
    member = get_user_model().objects.create_user("bench-moderator")
    member.groups.add(moderators_group())
    moderating.force_login(member)
    pages.append(("post_1000_moderator", urls["post_1000"], moderating))
    figures = {}
    for name, url, client in pages:
        for _ in range(3):
            assert client.get(url).status_code == 200
        times, cpu = [], []
        for _ in range(RENDER_RUNS):
            with CaptureQueriesContext(connection) as queries:
                began, began_cpu = time.perf_counter(), time.process_time()
                response = client.get(url)
                times.append(time.perf_counter() - began)
                cpu.append(time.process_time() - began_cpu)
            assert response.status_code == 200
        figures[name] = {
            "url": url,
            "comments": COMMENT_COUNTS.get(
                name.removesuffix("_moderator").removesuffix("_logged_in")
            ),
            "median_ms": round(statistics.median(times) * 1000, 1),
            # CPU time of this process: steadier than wall time on a shared machine.
            "median_cpu_ms": round(statistics.median(cpu) * 1000, 1),
            "queries": len(queries),
            "bytes": len(response.content),
        }
    return figures


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parse_wrk(output: str) -> dict:
    def ms(value: str) -> float:
        number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", value).groups()
        return round(float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit], 2)

    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "median_ms": ms(re.search(r"\s50%\s+(\S+)", output).group(1)),
        "p99_ms": ms(re.search(r"\s99%\s+(\S+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "errors": errors + (int(non_2xx.group(1)) if non_2xx else 0),
    }


def load_figures(db_path: Path, urls: dict[str, str], seconds: int) -> list[dict]:
    """gunicorn with 2 workers under wrk: with the Redis page cache, without it, and with
    Redis refusing or hanging."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    env = {
        **os.environ,
        **PRODUCTION_ENV,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "CACHE_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": f"bench-pages-{os.getpid()}",
    }
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    rows = []
    with SilentServer() as silent:
        caches = {
            "Redis": ("60", REDIS_URL),
            "off": ("0", REDIS_URL),
            "Redis down": ("60", f"redis://127.0.0.1:{closed_port()}/0"),
            "Redis hung": ("60", f"redis://127.0.0.1:{silent.port}/0"),
        }
        for cache, (cache_seconds, cache_url) in caches.items():
            port = free_port()
            server = subprocess.Popen(
                [
                    str(Path(python).parent / "gunicorn"),
                    "config.wsgi",
                    "--workers",
                    "2",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env={**env, "FORUM_PAGE_CACHE_SECONDS": cache_seconds, "CACHE_URL": cache_url},
            )
            try:
                base = f"http://127.0.0.1:{port}"
                for _ in range(100):
                    try:
                        urllib.request.urlopen(base + "/", timeout=2)
                        break
                    except OSError:
                        time.sleep(0.2)
                for name in ("home", "post_200"):
                    url = base + urls[name]
                    urllib.request.urlopen(url, timeout=10).read()
                    out = subprocess.run(
                        [
                            "wrk",
                            "-t1",
                            "-c4",
                            f"-d{seconds}s",
                            "--timeout",
                            "10s",
                            "--latency",
                            url,
                        ],
                        capture_output=True,
                        text=True,
                        check=True,
                    ).stdout
                    rows.append({"page": name, "cache": cache, **parse_wrk(out)})
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30, help="wrk duration per run")
    parser.add_argument("--skip-load", action="store_true", help="render figures only")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    try:
        db_path = tmp / "bench.sqlite3"
        urls = build_blog(db_path, tmp)
        render = render_figures(urls)
        print(
            "\n| page (test client, SQLite, no page cache) | median ms | median CPU ms "
            "| queries | KiB |"
        )
        print("|---|---:|---:|---:|---:|")
        for name, fig in render.items():
            label = f"{name} ({fig['comments']} comments)" if fig["comments"] else name
            print(
                f"| {label} | {fig['median_ms']} | {fig['median_cpu_ms']} | {fig['queries']} "
                f"| {fig['bytes'] // 1024} |"
            )
        paged = render["post_1000_page_1"]["median_ms"] / render["post_1000"]["median_ms"]
        print(f"\nfirst page of 200 top-level comments / whole 1,000-comment thread: {paged:.2f}")
        ratio = render["post_1000"]["median_ms"] / render["post_10"]["median_ms"]
        cpu_ratio = render["post_1000"]["median_cpu_ms"] / render["post_10"]["median_cpu_ms"]
        print(f"\n1,000-comment page / 10-comment page: {ratio:.1f}x wall, {cpu_ratio:.1f}x CPU")
        logged_ratio = (
            render["post_1000_logged_in"]["median_ms"] / render["post_10_logged_in"]["median_ms"]
        )
        print(f"the same for a logged-in reader: {logged_ratio:.1f}x wall")
        load = [] if args.skip_load else load_figures(db_path, urls, args.seconds)
        if load:
            print(
                f"\n| gunicorn 2 workers, wrk -t1 -c4 {args.seconds}s | cache | req/s "
                "| median ms | p99 ms | errors |"
            )
            print("|---|---|---:|---:|---:|---:|")
            for row in load:
                print(
                    f"| {row['page']} | {row['cache']} | {row['requests_per_s']:.0f} | "
                    f"{row['median_ms']} | {row['p99_ms']} | {row['errors']} |"
                )
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(
            json.dumps(
                {
                    "render": render,
                    "ratio_1000_to_10": round(ratio, 2),
                    "ratio_1000_to_10_logged_in": round(logged_ratio, 2),
                    "load": load,
                    "wrk_seconds": args.seconds,
                    "database": "sqlite",
                },
                indent=2,
            )
        )
        print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
