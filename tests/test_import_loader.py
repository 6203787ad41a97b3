"""The loader on the real database: faithful, idempotent, atomic per file, and never
touching what readers posted on the site."""

import datetime
import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from archive_import.loader import Counts, Loader
from archive_import.parser import (
    DumpFile,
    Limits,
    ParsedComment,
    ParsedFile,
    ParsedPost,
    parse_bytes,
    parse_text,
)
from forum.models import Comment, CommentStatus, Post, RemovedBy
from forum.text import render_text
from forum.threads import set_status

from .factories import UserFactory, comment
from .trees import paths

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent.parent / "archive_import" / "sample_archive"

PAGE = """\
Wednesday, 18 February 2015

A PO's Musings

The musings of a soon to be retired PO.

  1. First comment

    1. A reply

  3. Third comment
"""
INDEX = """\
Thursday 19 February 2015

Another Post

Its body.

Wednesday 18 February 2015

A PO's Musings

The musings of a soon to be retired PO.
"""


def load(*files) -> Counts:
    """Load parsed files (or (name, text) pairs), check every tree, return the totals."""
    parsed = [
        f if isinstance(f, ParsedFile) else parse_text(textwrap.dedent(f[1]), f[0]) for f in files
    ]
    totals = Counts()
    results = list(Loader().load(parsed))
    for result in results:
        totals.add(result.counts)
    call_command("check_comment_trees", verbosity=0)
    load.results = results
    return totals


def sample_files():
    return [parse_bytes(p.read_bytes(), p.name) for p in sorted(SAMPLE.glob("*.txt"))]


def snapshot():
    return list(
        Comment.objects.order_by("tree_id", "lft").values_list(
            "post__title", "path", "status", "body", "lft", "rght", "level", "updated_at"
        )
    )


def test_the_sample_archive_imports_faithfully():
    counts = load(*sample_files())
    assert (counts.posts_created, counts.comments_created, counts.removed_placeholders) == (
        22,
        70,
        2,
    )
    post = Post.objects.get(date=datetime.date(2015, 2, 18), title="A PO's Musings")
    assert (post.slug, post.year, post.month) == ("a-pos-musings", 2015, 2)
    assert post.body_html == render_text(post.body)
    assert post.source_file == "001_42218c82009ca656.txt" and post.source_line == 1
    root = Comment.objects.get(tree_id=post.pk, level=0)
    assert (root.lft, root.parent_id, root.post_id) == (1, None, post.pk)
    assert paths(post)[:6] == ["1", "2", "3", "4", "5", "6"]
    removed = Comment.objects.get(post=post, path="12")
    assert (removed.status, removed.removed_by, removed.number) == ("removed", RemovedBy.BLOG, 12)
    reply = Comment.objects.get(post=post, path="12.1")
    assert reply.parent_id == removed.pk and reply.source_line == 111
    assert reply.body_html == render_text(reply.body)
    midnight = datetime.datetime(2015, 2, 18, tzinfo=ZoneInfo("Europe/London"))
    assert (reply.display_name, reply.author, reply.created_at, reply.published_at) == (
        "Anonymous",
        None,
        midnight,
        midnight,
    )
    assert reply.source_file == "001_42218c82009ca656.txt"
    assert Comment.objects.comments().count() == 70


def test_a_second_run_changes_nothing_and_says_so():
    load(*sample_files())
    before = snapshot()
    counts = load(*sample_files())
    assert counts.as_dict() == {
        "posts_created": 0, "posts_updated": 0, "posts_unchanged": 22,
        "comments_created": 0, "comments_updated": 0, "comments_unchanged": 70,
        "removed_placeholders": 2,
    }  # fmt: skip
    assert snapshot() == before


def test_an_unchanged_post_costs_no_write(django_assert_max_num_queries):
    load(*sample_files())
    unchanged = sample_files()[1:2]
    with django_assert_max_num_queries(6):
        (result,) = Loader().load(unchanged)
    assert result.counts.comments_unchanged == 36


def test_an_index_page_after_the_post_page_never_removes_its_comments():
    load(("001.txt", PAGE))
    counts = load(("index.txt", INDEX))
    assert (counts.posts_created, counts.posts_unchanged) == (1, 1)
    post = Post.objects.get(title="A PO's Musings")
    assert paths(post) == ["1", "1.1", "2", "3"]
    assert post.source_file == "001.txt"


def test_a_post_seen_in_an_index_page_then_its_page_is_one_post_with_the_pages_comments():
    load(("index.txt", INDEX))
    counts = load(("001.txt", PAGE))
    assert (counts.posts_created, counts.comments_created) == (0, 4)
    assert Post.objects.count() == 2
    assert paths(Post.objects.get(title="A PO's Musings")) == ["1", "1.1", "2", "3"]
    again = load(("index.txt", INDEX), ("001.txt", PAGE))
    assert (again.posts_created, again.posts_updated, again.comments_unchanged) == (0, 0, 4)


def test_a_corrected_dump_updates_what_changed():
    load(("001.txt", PAGE))
    corrected = PAGE.replace("First comment", "First comment, corrected") + "\n  4. A late one\n"
    corrected = corrected.replace("  3. Third comment", "  2. Second after all\n\n  3.")
    counts = load(("001.txt", corrected))
    assert (counts.comments_updated, counts.comments_created, counts.comments_unchanged) == (
        3,
        1,
        1,
    )
    post = Post.objects.get(title="A PO's Musings")
    rows = dict(Comment.objects.filter(post=post).values_list("path", "status"))
    assert rows == {"": "published", "1": "published", "1.1": "published", "2": "published",
                    "3": "removed", "4": "published"}  # fmt: skip
    first = Comment.objects.get(post=post, path="1")
    assert first.body_html == "<p>First comment, corrected</p>"
    assert Comment.objects.get(post=post, path="3").body == ""


def test_a_truncated_copy_then_the_complete_one_makes_no_duplicates():
    load(("001.txt", PAGE.split("  3.")[0]))
    counts = load(("001.txt", PAGE))
    assert (counts.comments_created, counts.comments_unchanged) == (2, 2)
    assert paths(Post.objects.get(title="A PO's Musings")) == ["1", "1.1", "2", "3"]


def test_readers_comments_survive_a_reimport_and_keep_their_place():
    load(("001.txt", PAGE))
    post = Post.objects.get(title="A PO's Musings")
    first = Comment.objects.get(post=post, path="1")
    reader = UserFactory()
    mine = comment(post, first, body="A reader's reply on the site.", author=reader)
    pending = comment(post, None, body="Awaiting a moderator.", author=reader, status="pending")
    grown = PAGE.replace(
        "    1. A reply\n", "    1. A reply\n\n    2. Taken by the site\n\n    3. New\n"
    )
    counts = load(("001.txt", grown + "\n  4. Fourth\n"))
    mine.refresh_from_db()
    pending.refresh_from_db()
    assert (mine.path, mine.body, mine.author, mine.source_file) == (
        "1.2",
        "A reader's reply on the site.",
        reader,
        "",
    )
    assert pending.status == CommentStatus.PENDING and pending.number is None
    assert counts.comments_created == 2  # 1.3 and 4; 1.2 belongs to the reader
    assert any("comment 1.2 of 'A PO's Musings' is taken by a comment posted on the site" in w
               for w in load.results[0].warnings)  # fmt: skip
    assert paths(post) == ["1", "1.1", "1.2", "1.3", "2", "3", "4"]


def test_a_moderators_decision_on_an_imported_comment_stands():
    load(("001.txt", PAGE))
    post = Post.objects.get(title="A PO's Musings")
    set_status(Comment.objects.get(post=post, path="3"), CommentStatus.SPAM)
    counts = load(("001.txt", PAGE))
    assert counts.comments_unchanged == 4
    assert Comment.objects.get(post=post, path="3").status == CommentStatus.SPAM


def test_a_rejected_file_stores_nothing_and_the_others_still_import():
    bad = parse_bytes(PAGE.encode().replace(b"Third", b"Th\x00ird"), "bad.txt")
    counts = load(bad, ("index.txt", INDEX))
    assert counts.posts_created == 2 and not Comment.objects.comments().exists()
    errors = [r.error for r in load.results if r.error]
    assert errors == ["bad.txt:11: control byte 0x00: not a text dump"]


def test_a_file_the_database_refuses_is_rolled_back_alone():
    date = datetime.date(2016, 2, 28)
    twice = [
        ParsedComment("1", 1, None, "one", False, 7),
        ParsedComment("1", 1, None, "two", False, 9),
    ]
    broken = ParsedFile("broken.txt", posts=[ParsedPost(date, "Broken", "Body.", 1, twice)])
    march = PAGE.replace("18 February", "18 March")  # also a Wednesday
    counts = load(("index.txt", INDEX), broken, ("001.txt", march))
    errors = [r.error for r in load.results if r.error]
    assert len(errors) == 1 and errors[0].startswith("broken.txt:1: the database refused the file")
    assert not Post.objects.filter(title="Broken").exists()
    assert (counts.posts_created, Post.objects.count()) == (3, 3)


def test_posts_of_one_month_with_the_same_title_get_distinct_slugs():
    second = INDEX.replace(
        "Thursday 19 February 2015\n\nAnother Post", "Thursday 19 February 2015\n\nA PO's Musings"
    )
    load(("001.txt", PAGE), ("index.txt", second))
    slugs = sorted(Post.objects.values_list("slug", flat=True))
    assert slugs == ["a-pos-musings", "a-pos-musings-2"]


def test_imported_comments_reach_the_search_index_through_its_triggers():
    tables = connection.introspection.table_names()
    if "search_document" not in tables:
        pytest.skip("the search app's triggers are not installed")
    load(("001.txt", PAGE))
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_document WHERE kind = 'comment'")
        assert cursor.fetchone()[0] == Comment.objects.published().count() == 3


def on_disk(tmp_path, name: str, text: str, limits: Limits) -> DumpFile:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return DumpFile(path, name, limits)


@pytest.mark.parametrize("batch_comments", [2, 20_000])
def test_a_file_that_goes_bad_half_way_leaves_nothing_and_the_others_import(
    tmp_path, batch_comments
):
    # With batches of 2 the bad file's first post is written before its second is read;
    # with big ones the good files share its transaction and are replayed alone.
    limits = Limits(post_chars=1_000, comment_chars=40)
    later = PAGE.replace("18 February", "18 March").replace("Third comment", "x" * 41)
    sources = [
        on_disk(tmp_path, "index.txt", INDEX, limits),
        on_disk(tmp_path, "bad.txt", PAGE + "\n" + later, limits),
        on_disk(tmp_path, "other.txt", PAGE.replace("18 February", "18 November"), limits),
    ]
    results = list(Loader(batch_comments=batch_comments).load(sources))
    assert [r.error for r in results] == [
        None,
        "bad.txt:23: comment 3 of 41 characters, over the limit of 40",
        None,
    ]
    assert sorted(Post.objects.values_list("source_file", "date__month")) == [
        ("index.txt", 2), ("index.txt", 2), ("other.txt", 11)
    ]  # fmt: skip
    assert not Comment.objects.filter(source_file="bad.txt").exists()
    call_command("check_comment_trees", verbosity=0)


def test_tiny_batches_import_the_same_as_big_ones():
    counts = Counts()
    for result in Loader(batch_comments=1, batch_files=1).load(sample_files()):
        counts.add(result.counts)
    assert (counts.posts_created, counts.comments_created, counts.removed_placeholders) == (
        22,
        70,
        2,
    )
    call_command("check_comment_trees", verbosity=0)
    assert paths(Post.objects.get(title="A PO's Musings"))[:6] == ["1", "2", "3", "4", "5", "6"]
    assert load(*sample_files()).comments_unchanged == 70


def test_an_index_copy_then_the_post_page_in_one_file_is_one_post_with_the_pages_comments():
    counts = load(("both.txt", INDEX + "\n" + PAGE))
    assert (counts.posts_created, counts.posts_unchanged, counts.comments_created) == (2, 0, 4)
    assert "kept the one at line 13" in load.results[0].warnings[0]
    assert paths(Post.objects.get(title="A PO's Musings")) == ["1", "1.1", "2", "3"]
