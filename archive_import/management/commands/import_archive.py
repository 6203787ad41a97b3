"""Import the On Probation blog's text dumps (format: archive_import/FORMAT.md).

Re-runnable: posts are keyed on (date, title), comments on (post, number path), so a
second run over the same files writes nothing and says so. Files stream post by post
(memory stays flat, whatever a file's size), each is atomic, a rejected file (or a path
that is not a readable regular file) never stops the others, and the command exits
non-zero at the end when any file was rejected.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from archive_import.loader import Counts, FileResult, Loader
from archive_import.parser import DumpFile, Limits


def dump_files(paths: list[str]) -> list[tuple[Path, str]]:
    """(file, name used in messages) for every PATH: a file, or a directory's *.txt, recursively.

    Names are relative to the directory given, so the same dumps keep the same source
    names whichever way the path is spelled. Whatever is not a directory is listed as it
    is: a path that is not a readable regular file (missing, a directory named x.txt, a
    named pipe) becomes that path's error when it is read, and the others still import."""
    found: list[tuple[Path, str]] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found += [(f, f.relative_to(path).as_posix()) for f in sorted(path.rglob("*.txt"))]
        else:
            found.append((path, path.name or given))
    return found


class _Progress:
    """A bar in bytes read: a single huge dump moves it too. Each file counts once, even
    when the loader reads it again to replay it."""

    def __init__(self, bar: tqdm) -> None:
        self.bar = bar
        self.done: dict[Path, int] = {}

    def reader(self, path: Path) -> Callable[[int], None]:
        def advance(position: int) -> None:
            gain = position - self.done.get(path, 0)
            if gain > 0:
                self.done[path] = position
                self.bar.update(gain)

        return advance


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


class Command(BaseCommand):
    help = "Import the blog's text dumps (files, or directories of *.txt)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--report", metavar="FILE", help="Write the summary as JSON here.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Parse and compare, then roll everything back."
        )

    def handle(self, *args, paths, report=None, dry_run=False, verbosity=1, **options):
        files = dump_files(paths)
        started = time.perf_counter()
        sizes = [_size(path) for path, _ in files]
        bar = tqdm(
            total=sum(sizes),
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            disable=verbosity == 0 or not sys.stderr.isatty(),
            file=sys.stderr,
        )
        progress = _Progress(bar)
        limits = Limits(
            post_chars=settings.FORUM_IMPORT_MAX_POST_CHARS,
            comment_chars=settings.FORUM_IMPORT_MAX_COMMENT_CHARS,
        )
        sources = [DumpFile(path, name, limits, progress.reader(path)) for path, name in files]
        totals = Counts()
        results: list[FileResult] = []
        # A real run commits batch by batch inside the loader; a dry run rolls it all back.
        with transaction.atomic() if dry_run else nullcontext():
            # One result per file, in the files' order.
            loaded = zip(files, sizes, Loader().load(sources), strict=True)
            for (path, _), size, result in loaded:
                totals.add(result.counts)
                results.append(result)
                progress.reader(path)(size)
            if dry_run:
                transaction.set_rollback(True)
        bar.close()
        summary = {
            "files": len(files),
            "files_rejected": sum(1 for r in results if r.error),
            **totals.as_dict(),
            "warnings": [w for r in results for w in r.warnings],
            "errors": [r.error for r in results if r.error],
            "dry_run": dry_run,
            "seconds": round(time.perf_counter() - started, 3),
        }
        if report:
            Path(report).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        self._print(summary, verbosity)
        if summary["errors"]:
            raise CommandError(f"{summary['files_rejected']} file(s) rejected.", returncode=2)

    def _print(self, summary: dict, verbosity: int) -> None:
        for error in summary["errors"]:
            self.stderr.write(error)
        if verbosity >= 2:
            for warning in summary["warnings"]:
                self.stderr.write(warning)
        if verbosity == 0:
            return
        s = summary
        prefix = "Dry run (nothing kept): " if s["dry_run"] else ""
        self.stdout.write(
            f"{prefix}{s['files']} files ({s['files_rejected']} rejected) in {s['seconds']}s\n"
            f"posts: {s['posts_created']} created, {s['posts_updated']} updated, "
            f"{s['posts_unchanged']} unchanged\n"
            f"comments: {s['comments_created']} created, {s['comments_updated']} updated, "
            f"{s['comments_unchanged']} unchanged ({s['removed_placeholders']} removed "
            f"placeholders)\n"
            f"{len(s['warnings'])} warnings, {len(s['errors'])} errors"
            + ("" if verbosity >= 2 or not s["warnings"] else " (-v 2 lists the warnings)")
        )
