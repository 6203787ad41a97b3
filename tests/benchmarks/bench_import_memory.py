"""Peak memory of import_archive over a ~200 MB dump held in one file, on SQLite.

One file is the worst case for memory: the whole dump is one atomic unit, so nothing
may be committed and forgotten between files. The dump is generated post page after
post page (BENCH_IMPORT_MEMORY_MB, default 200), then imported twice into an empty,
migrated database, each run in a child process whose peak RSS the kernel reports
(`wait4`'s ru_maxrss). Issue 15 asks for at most 300 MB. The parser alone reads it too,
in a child of its own. Prints a markdown table and writes bench-results/import_memory.json.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_import import ROOT, run, save

from archive_import.generate import TextPool, generate_post
from archive_import.writer import format_post

SIZE_MB = int(os.environ.get("BENCH_IMPORT_MEMORY_MB", "200"))
COMMENTS = 60
LIMIT_MB = 300
PARSE_ONLY = (
    "import sys; from pathlib import Path; from archive_import.parser import DumpFile; "
    "sum(1 for post in DumpFile(Path(sys.argv[1]), 'dump').open())"
)


def write_dump(path: Path, size_mb: int) -> tuple[int, int]:
    """Post pages one after another until the file holds `size_mb` MB: (posts, comments)."""
    rng, pool = random.Random(15), TextPool()
    posts = comments = written = 0
    with path.open("w", encoding="utf-8") as out:
        while written < size_mb * 1_000_000:
            count = max(0, round(rng.gauss(COMMENTS, COMMENTS / 4)))
            page = format_post(generate_post(rng, pool, posts, count)) + "\n"
            out.write(page)
            written += len(page.encode())
            posts, comments = posts + 1, comments + count
    return posts, comments


def parse_only(dump: Path) -> tuple[float, int]:
    """(CPU seconds, peak RSS in MB) of the parser alone over `dump`, in a child process."""
    child = subprocess.Popen([sys.executable, "-c", PARSE_ONLY, str(dump)], cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit("the parser failed")
    return round(usage.ru_utime + usage.ru_stime, 2), usage.ru_maxrss // 1024


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench_import_memory_") as tmp:
        work = Path(tmp)
        dump = work / "dump.txt"
        posts, comments = write_dump(dump, SIZE_MB)
        size = dump.stat().st_size
        parse_cpu, parse_rss = parse_only(dump)
        url = f"sqlite:///{work}/import.sqlite3"
        run("migrate", "--noinput", "-v", "0", url=url)
        runs = []
        for label in ("first import", "second run, all unchanged"):
            report = work / "report.json"
            wall, rss, cpu = run("import_archive", str(dump), "-v", "0", "--report",
                                 str(report), url=url)  # fmt: skip
            summary = json.loads(report.read_text())
            assert not summary["errors"], summary["errors"]
            runs.append({"run": label, "wall_s": round(wall, 1), "cpu_s": cpu,
                         "command_s": summary["seconds"], "peak_rss_mb": rss,
                         "comments_created": summary["comments_created"],
                         "comments_unchanged": summary["comments_unchanged"]})  # fmt: skip
        run("check_comment_trees", url=url)
    result = {"file_mb": round(size / 1e6), "posts": posts, "comments": comments,
              "limit_mb": LIMIT_MB, "runs": runs, "parse_only_cpu_s": parse_cpu,
              "parse_only_peak_rss_mb": parse_rss}  # fmt: skip
    print(f"one file, {size / 1e6:.0f} MB, {posts:,} posts, {comments:,} comments, SQLite")
    print()
    print("| run | time | peak RSS |")
    print("|---|---|---|")
    for r in runs:
        print(f"| {r['run']} | {r['command_s']}s ({r['cpu_s']}s CPU) | {r['peak_rss_mb']} MB |")
    print(f"| parser alone, no database | {parse_cpu}s CPU | {parse_rss} MB |")
    save("import_memory.json", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
