"""import_archive, export_archive and generate_archive as an operator runs them."""

import json
import os
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from archive_import.parser import parse_bytes
from forum.models import Comment, Post

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent.parent / "archive_import" / "sample_archive"


def run(*args, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_archive", *args, stdout=out, stderr=err, **options)
    call_command("check_comment_trees", verbosity=0)
    return out.getvalue(), err.getvalue()


def test_the_operator_imports_the_sample_archive_and_reads_a_summary(tmp_path):
    report = tmp_path / "report.json"
    out, err = run(str(SAMPLE), report=str(report))
    assert "5 files (0 rejected)" in out
    assert "posts: 22 created, 0 updated, 0 unchanged" in out
    assert "comments: 70 created, 0 updated, 0 unchanged (2 removed placeholders)" in out
    assert err == ""  # not a terminal: no progress bar
    summary = json.loads(report.read_text())
    assert (summary["files"], summary["posts_created"], summary["errors"]) == (5, 22, [])
    out, _ = run(str(SAMPLE))
    assert "posts: 0 created, 0 updated, 22 unchanged" in out
    assert "comments: 0 created, 0 updated, 70 unchanged" in out


def test_a_bad_file_is_reported_and_the_run_exits_non_zero_after_the_others(tmp_path):
    shutil.copytree(SAMPLE, tmp_path / "dumps")
    (tmp_path / "dumps" / "broken.txt").write_bytes(b"\x1f\x8b\x08 compressed")
    (tmp_path / "dumps" / "nested").mkdir()
    cp1252 = (SAMPLE / "004_82771943f9099fbe.txt").read_text().encode("cp1252", "replace")
    (tmp_path / "dumps" / "nested" / "old.txt").write_bytes(cp1252)
    report = tmp_path / "report.json"
    with pytest.raises(CommandError, match="1 file\\(s\\) rejected") as raised:
        run(str(tmp_path / "dumps"), report=str(report))
    assert raised.value.returncode == 2
    summary = json.loads(report.read_text())
    assert summary["errors"] == ["broken.txt:1: gzip-compressed file, not a text dump"]
    assert any(w.startswith("nested/old.txt:") and "cp1252" in w for w in summary["warnings"])
    assert Post.objects.count() == 22


def test_verbosity_0_prints_nothing_and_warnings_show_at_verbosity_2(tmp_path):
    dump = tmp_path / "cut.txt"
    dump.write_bytes((SAMPLE / "001_42218c82009ca656.txt").read_bytes() + b" \xe2\x80")
    assert run(str(dump), verbosity=0) == ("", "")
    _, err = run(str(dump), verbosity=2)
    assert "cut.txt:214: file ends inside a UTF-8 character" in err


def test_a_dry_run_reports_what_would_happen_and_keeps_nothing():
    out, _ = run(str(SAMPLE), dry_run=True)
    assert out.startswith("Dry run (nothing kept): 5 files")
    assert "posts: 22 created" in out
    assert not Post.objects.exists() and not Comment.objects.exists()


def test_paths_that_are_not_readable_regular_files_are_errors_and_the_others_import(tmp_path):
    dumps = tmp_path / "dumps"
    shutil.copytree(SAMPLE, dumps)
    (dumps / "x.txt").mkdir()
    (dumps / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    os.mkfifo(dumps / "pipe.txt")  # opening it to read would wait for a writer forever
    report = tmp_path / "report.json"
    with pytest.raises(CommandError, match="4 file\\(s\\) rejected") as raised:
        run(str(dumps), str(tmp_path / "missing.txt"), report=str(report))
    assert raised.value.returncode == 2
    summary = json.loads(report.read_text())
    assert summary["errors"] == [
        "gone.txt: a dangling symbolic link",
        "pipe.txt: a named pipe, not a regular file",
        "x.txt: a directory, not a regular file",
        "missing.txt: no such file",
    ]
    assert (summary["files"], summary["files_rejected"], summary["posts_created"]) == (9, 4, 22)
    assert Post.objects.count() == 22 and Comment.objects.comments().count() == 70


def test_a_post_of_one_10_mb_word_rejects_its_file_and_the_others_import(tmp_path):
    dumps = tmp_path / "dumps"
    shutil.copytree(SAMPLE, dumps)
    word = "x" * 10_000_000
    (dumps / "huge.txt").write_text(f"Monday, 1 March 2010\n\nHuge\n\n{word}\n")
    report = tmp_path / "report.json"
    with pytest.raises(CommandError, match="1 file\\(s\\) rejected"):
        run(str(dumps), report=str(report))
    errors = json.loads(report.read_text())["errors"]
    assert errors == ["huge.txt:5: a line of over 200,000 characters"]
    assert not Post.objects.filter(title="Huge").exists() and Post.objects.count() == 22


def test_size_limits_are_settings_and_reject_the_file_at_the_line(tmp_path, settings):
    # One below the sample archive's largest post body and comment: exactly those go.
    settings.FORUM_IMPORT_MAX_POST_CHARS = 44_490
    settings.FORUM_IMPORT_MAX_COMMENT_CHARS = 2_690
    report = tmp_path / "report.json"
    with pytest.raises(CommandError, match="2 file\\(s\\) rejected"):
        run(str(SAMPLE), report=str(report))
    assert json.loads(report.read_text())["errors"] == [
        "002_9f3d8cec838019a2.txt:283: post body of 44,491 characters, over the limit of 44,490",
        "004_82771943f9099fbe.txt:76: comment 4.1 of 2,691 characters, over the limit of 2,690",
    ]
    assert set(Post.objects.values_list("source_file", flat=True)) == {
        "000_9cf7ada4b1c30a6f.txt",
        "001_42218c82009ca656.txt",
        "003_8686e3fe89b4964b.txt",
    }


def test_generate_archive_is_deterministic_and_imports_cleanly(tmp_path):
    for seed_dir, seed in (("a", 7), ("b", 7), ("c", 8)):
        call_command(
            "generate_archive", posts=6, comments_per_post=12, out=str(tmp_path / seed_dir),
            seed=seed, stdout=StringIO(),
        )  # fmt: skip
    first = {p.name: p.read_bytes() for p in (tmp_path / "a").iterdir()}
    assert first == {p.name: p.read_bytes() for p in (tmp_path / "b").iterdir()}
    assert first != {p.name: p.read_bytes() for p in (tmp_path / "c").iterdir()}
    parsed = [parse_bytes(data, name) for name, data in first.items()]
    assert all(not p.warnings and not p.rejected and len(p.posts) == 1 for p in parsed)
    written = sum(len(p.posts[0].comments) for p in parsed)
    out, _ = run(str(tmp_path / "a"))
    assert f"comments: {written} created" in out
