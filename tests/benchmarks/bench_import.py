"""import_archive at archive scale, beside the floor of raw inserts, on SQLite and PostgreSQL.

Generates 5,000 post pages of ~60 comments (BENCH_IMPORT_POSTS / BENCH_IMPORT_COMMENTS
override), then for each engine: imports them into an empty, migrated database in a
child process (wall time, the command's own time, peak RSS of that child), imports them
again (all unchanged), checks every tree, and measures the floor: the very same rows
copied into a second empty database with the driver alone (`executemany` on SQLite,
`COPY` on PostgreSQL), no ORM, same triggers. Also times the parser alone.
Prints a markdown table and writes bench-results/import.json.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from archive_import.parser import parse_bytes  # noqa: E402  (pure Python, no Django)

POSTS = int(os.environ.get("BENCH_IMPORT_POSTS", "5000"))
COMMENTS = int(os.environ.get("BENCH_IMPORT_COMMENTS", "60"))
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
CHUNK = 20_000
DROP_SEARCH_TRIGGERS = (
    "from django.db import connection; from search.indexing import uninstall; uninstall(connection)"
)


def manage(*args: str, url: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    return subprocess.Popen(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE
    )


def run(*args: str, url: str) -> tuple[float, int, float]:
    """(wall seconds, peak RSS in MB, CPU seconds) of one manage.py child process."""
    started = time.perf_counter()
    child = manage(*args, url=url)
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed ({child.returncode}): {out!r}")
    cpu = usage.ru_utime + usage.ru_stime
    return time.perf_counter() - started, usage.ru_maxrss // 1024, round(cpu, 2)


def sqlite_floor(source: str, target: str) -> tuple[float, int]:
    import sqlite3

    src, dst = sqlite3.connect(source), sqlite3.connect(target, isolation_level=None)
    dst.execute("PRAGMA journal_mode=WAL")
    dst.execute("PRAGMA synchronous=NORMAL")
    spent, rows = 0.0, 0
    dst.execute("BEGIN IMMEDIATE")
    for table in ("forum_post", "forum_comment"):
        cursor = src.execute(f"SELECT * FROM {table} ORDER BY id")
        names = ", ".join(d[0] for d in cursor.description)
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(cursor.description))})"
        while batch := cursor.fetchmany(CHUNK):
            started = time.perf_counter()
            dst.executemany(sql, batch)
            spent += time.perf_counter() - started
            rows += len(batch)
    started = time.perf_counter()
    dst.execute("COMMIT")
    return spent + time.perf_counter() - started, rows


def postgres_floor(source: str, target: str) -> tuple[float, int]:
    import psycopg

    spent, rows = 0.0, 0
    with psycopg.connect(source) as src, psycopg.connect(target) as dst:
        for table in ("forum_post", "forum_comment"):
            with src.cursor(name=f"read_{table}") as cursor:
                cursor.execute(f"SELECT * FROM {table} ORDER BY id")
                while batch := cursor.fetchmany(CHUNK):
                    names = ", ".join(d.name for d in cursor.description)
                    started = time.perf_counter()
                    with dst.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                        for row in batch:
                            copy.write_row(row)
                    spent += time.perf_counter() - started
                    rows += len(batch)
        started = time.perf_counter()
        dst.commit()
    return spent + time.perf_counter() - started, rows


def postgres_admin(sql: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as c:
            c.execute(sql)
        return True
    except Exception as error:  # no server: the PostgreSQL half is skipped, and said so
        print(f"PostgreSQL unavailable ({error}); SQLite only.")
        return False


def bench_engine(engine: str, dumps: Path, work: Path) -> dict | None:
    if engine == "sqlite":
        urls = {k: f"sqlite:///{work}/{k}.sqlite3" for k in ("import", "floor", "bare")}
    else:
        names = {
            "import": "forum_bench_import",
            "floor": "forum_bench_import_floor",
            "bare": "forum_bench_import_bare",
        }
        for name in names.values():
            if not postgres_admin(f"DROP DATABASE IF EXISTS {name}") or not postgres_admin(
                f"CREATE DATABASE {name}"
            ):
                return None
        urls = {k: f"{PG_SERVER}/{name}" for k, name in names.items()}
    try:
        for url in urls.values():
            run("migrate", "--noinput", "-v", "0", url=url)
        # The bare floor: the same rows into tables without the search triggers, to show
        # what keeping the search index current costs every writer.
        run("shell", "--no-imports", "-c", DROP_SEARCH_TRIGGERS, url=urls["bare"])
        first_report, second_report = work / f"{engine}-1.json", work / f"{engine}-2.json"
        first, first_rss, first_cpu = run(
            "import_archive", str(dumps), "-v", "0", "--report", str(first_report),
            url=urls["import"],
        )  # fmt: skip
        second, second_rss, second_cpu = run(
            "import_archive", str(dumps), "-v", "0", "--report", str(second_report),
            url=urls["import"],
        )  # fmt: skip
        run("check_comment_trees", url=urls["import"])
        one, two = json.loads(first_report.read_text()), json.loads(second_report.read_text())
        assert two["comments_unchanged"] == one["comments_created"] and not two["comments_created"]
        if engine == "sqlite":
            source = urls["import"][len("sqlite:///") :]
            floor, rows = sqlite_floor(source, urls["floor"][len("sqlite:///") :])
            bare, _ = sqlite_floor(source, urls["bare"][len("sqlite:///") :])
        else:
            floor, rows = postgres_floor(urls["import"], urls["floor"])
            bare, _ = postgres_floor(urls["import"], urls["bare"])
    finally:
        if engine == "postgresql":
            for name in names.values():
                postgres_admin(f"DROP DATABASE IF EXISTS {name}")
    comments = one["comments_created"]
    return {
        "engine": engine,
        "posts": one["posts_created"],
        "comments": comments,
        "first_wall_s": round(first, 2),
        "first_command_s": one["seconds"],
        "first_cpu_s": first_cpu,
        "comments_per_s": round(comments / one["seconds"]),
        "peak_rss_mb": first_rss,
        "floor_s": round(floor, 2),
        "floor_rows": rows,
        "ratio_to_floor": round(one["seconds"] / floor, 2),
        "bare_floor_s": round(bare, 2),
        "ratio_to_bare_floor": round(one["seconds"] / bare, 1),
        "second_wall_s": round(second, 2),
        "second_command_s": two["seconds"],
        "second_cpu_s": second_cpu,
        "second_peak_rss_mb": second_rss,
        "second_run_speedup": round(one["seconds"] / two["seconds"], 1),
    }


def main() -> int:
    results = []
    with tempfile.TemporaryDirectory(prefix="bench_import_") as tmp:
        work = Path(tmp)
        dumps = work / "dumps"
        started = time.perf_counter()
        run(
            "generate_archive", "--posts", str(POSTS), "--comments-per-post", str(COMMENTS),
            "--out", str(dumps), "--seed", "1", url=f"sqlite:///{work}/unused.sqlite3",
        )  # fmt: skip
        generated = time.perf_counter() - started
        files = sorted(dumps.glob("*.txt"))
        size = sum(f.stat().st_size for f in files)
        started, cpu = time.perf_counter(), time.process_time()
        parsed_comments = sum(
            len(p.comments) for f in files for p in parse_bytes(f.read_bytes(), f.name).posts
        )
        parse, parse_cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"{len(files)} files, {size / 1e6:.0f} MB, {parsed_comments} comments "
            f"(generated in {generated:.0f}s); parser alone: {parse:.2f}s wall, "
            f"{parse_cpu:.2f}s CPU = {size / 1e6 / parse_cpu:.0f} MB/s, "
            f"{parsed_comments / parse_cpu:,.0f} comments/s of CPU"
        )
        for engine in ("sqlite", "postgresql"):
            result = bench_engine(engine, dumps, work)
            if result:
                result["parse_only_s"] = round(parse, 2)
                result["parse_only_cpu_s"] = round(parse_cpu, 2)
                results.append(result)
    print()
    print("| engine | comments | first import | comments/s | peak RSS | floor (raw) | "
          "import / floor | floor without search triggers | second run | "
          "second-run speedup |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    # Times are wall-clock on a shared machine; the CPU seconds of the child say how much
    # of it was this process's own work.
    for r in results:
        print(
            f"| {r['engine']} | {r['comments']:,} | {r['first_command_s']}s "
            f"({r['first_wall_s']}s wall, {r['first_cpu_s']}s CPU) | {r['comments_per_s']:,} | "
            f"{r['peak_rss_mb']} MB | {r['floor_s']}s | {r['ratio_to_floor']}x | "
            f"{r['bare_floor_s']}s (import is {r['ratio_to_bare_floor']}x) | "
            f"{r['second_command_s']}s ({r['second_cpu_s']}s CPU) | "
            f"{r['second_run_speedup']}x |"
        )
    save("import.json", results)
    return 0


def save(name: str, results: object) -> None:
    """Write `results` as bench-results/NAME."""
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / name).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
