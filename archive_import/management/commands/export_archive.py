"""Write every post back out in the dump format, one post page per file.

The users' way to back up and leave, and the importer's fidelity proof: importing the
export into an empty database gives the same posts and comment trees. Each post page
holds the post's published comments and, as empty items, every other numbered one
(removed, spam...), so the numbering reads as on the site. Pending comments have no
number yet and stay out; the format has one reply level, so deeper replies (possible on
the site) are left out with a warning.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db.models import Q

from archive_import.parser import ParsedComment, ParsedPost
from archive_import.writer import format_post
from forum.models import Comment, CommentStatus, Post


def exported_post(post: Post) -> tuple[ParsedPost, list[str]]:
    """`post` with its numbered comments as the writer takes them, and what was left out."""
    rows = (
        Comment.objects.visible()
        .filter(tree_id=post.tree_id, number__isnull=False)
        .order_by("lft")
        .values_list("path", "number", "level", "status", "body")
    )
    comments, skipped = [], []
    for path, number, level, status, body in rows:
        if level > 2:
            skipped.append(path)
            continue
        parent = path.rsplit(".", 1)[0] if level == 2 else None
        published = status == CommentStatus.PUBLISHED
        comments.append(
            ParsedComment(path, number, parent, body if published else "", not published, 0)
        )
    return ParsedPost(post.date, post.title, post.body, 0, comments), skipped


def posts_by_date(batch: int = 500) -> Iterator[Post]:
    """Every post, oldest first, `batch` per query. No cursor outlives its statement, so
    the export also runs behind pgbouncer in transaction pooling, where a server-side
    cursor held between statements is lost."""
    posts = Post.objects.order_by("date", "id")
    after = Q()
    while page := list(posts.filter(after)[:batch]):
        yield from page
        last = page[-1]
        after = Q(date__gt=last.date) | Q(date=last.date, id__gt=last.id)


class Command(BaseCommand):
    help = "Export every post with its comments as dump files (one post page per file)."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, metavar="DIR")

    def handle(self, *args, out: str, verbosity: int = 1, **options):
        directory = Path(out)
        directory.mkdir(parents=True, exist_ok=True)
        count = 0
        for post in posts_by_date():
            parsed, skipped = exported_post(post)
            name = f"{post.date:%Y-%m-%d}_{post.slug}.txt"
            (directory / name).write_text(format_post(parsed), encoding="utf-8")
            count += 1
            for path in skipped:
                self.stderr.write(f"{name}: comment {path} is a reply to a reply: not exported")
        if verbosity:
            self.stdout.write(f"{count} posts written to {directory}")
