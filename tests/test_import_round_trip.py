"""The fidelity proof: sample -> import -> export -> import into an empty database gives
the same posts and comment trees. It is also the readers' way to back up and leave."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from archive_import.management.commands.export_archive import exported_post
from archive_import.writer import format_post
from forum.models import Comment, CommentStatus, Post
from forum.threads import set_status

from .factories import comment

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent.parent / "archive_import" / "sample_archive"


def site_state() -> tuple[list, list]:
    posts = list(Post.objects.order_by("date", "title").values_list("date", "title", "body"))
    trees = list(
        Comment.objects.comments()
        .order_by("post__date", "post__title", "lft")
        .values_list("post__title", "path", "status", "body", "level", "lft", "rght")
    )
    return posts, trees


def import_(path: Path) -> None:
    call_command("import_archive", str(path), stdout=StringIO())
    call_command("check_comment_trees", verbosity=0)


def test_sample_export_and_reimport_gives_the_same_posts_and_trees(tmp_path):
    import_(SAMPLE)
    before = site_state()
    call_command("export_archive", out=str(tmp_path / "export"), stdout=StringIO())
    assert len(list((tmp_path / "export").iterdir())) == 22
    Post.objects.all().delete()
    import_(tmp_path / "export")
    assert site_state() == before


def test_a_removed_comment_after_the_last_visible_one_survives_as_an_empty_item(tmp_path):
    import_(SAMPLE)
    post = Post.objects.get(title="A PO's Musings")
    set_status(Comment.objects.get(post=post, path="19"), CommentStatus.SPAM)
    text = format_post(exported_post(post)[0])
    assert text.rstrip().endswith("\n  19.")
    assert "\n  4.\n" in text and "\n    1. Media Release" in text


def test_readers_comments_are_exported_too_but_not_replies_to_replies():
    post = Post.objects.create(
        date=datetime.date(2016, 2, 28), title="Pick of the Week 2", body="Body."
    )
    first = comment(post, body="1. A reader's list\n2. second point")
    reply = comment(post, first, body="A reply")
    comment(post, reply, body="Too deep for the format")
    parsed, skipped = exported_post(post)
    assert [c.path for c in parsed.comments] == ["1", "1.1"] and skipped == ["1.1.1"]
    # A top-level "2. ..." line must not read back as a reply: it goes out at 5 spaces.
    assert "\n     2. second point" in format_post(parsed)
