"""Synthetic archives for benchmarks and load tests, recombined from the sample archive.

Deterministic for a given seed: the same arguments always write the same bytes. Posts
get consecutive dates from 1 September 2010 (the blog's start), titles and paragraphs
drawn from the real dumps, and threads shaped like the real ones: mostly top-level
comments, a share of replies, and a few removed comments written as empty items.
"""

from __future__ import annotations

import datetime
import random
import re
from pathlib import Path

from .parser import ParsedComment, ParsedPost, parse_bytes
from .writer import format_post

SAMPLE = Path(__file__).resolve().parent / "sample_archive"
FIRST_DAY = datetime.date(2010, 9, 1)
REPLY_SHARE = 0.3
REMOVED_SHARE = 0.03
# A reply's numbered paragraph ("12. We are not satisfied...") moved into a top-level
# comment could only be written with an extra leading space: leave those out.
_LISTED = re.compile(r"^ *[1-9][0-9]*\.(?: |$)", re.MULTILINE)


class TextPool:
    """Titles and paragraphs of the sample archive's posts and comments."""

    def __init__(self, sample: Path = SAMPLE) -> None:
        self.titles: list[str] = []
        self.post_paragraphs: list[str] = []
        self.comment_paragraphs: list[str] = []
        for path in sorted(sample.glob("*.txt")):
            for post in parse_bytes(path.read_bytes(), path.name).posts:
                self.titles.append(post.title)
                self.post_paragraphs += post.body.split("\n\n")
                for comment in post.comments:
                    self.comment_paragraphs += [
                        p for p in comment.body.split("\n\n") if p and not _LISTED.search(p)
                    ]


def generate_post(rng: random.Random, pool: TextPool, index: int, comments: int) -> ParsedPost:
    """Post number `index` (dated `index` days after the blog's start) with `comments` items."""
    date = FIRST_DAY + datetime.timedelta(days=index)
    body = "\n\n".join(rng.choices(pool.post_paragraphs, k=rng.randint(2, 6)))
    post = ParsedPost(date, rng.choice(pool.titles), body, 0)
    top, reply = 0, 0
    for _ in range(comments):
        removed = rng.random() < REMOVED_SHARE
        text = (
            ""
            if removed
            else "\n\n".join(rng.choices(pool.comment_paragraphs, k=rng.randint(1, 2)))
        )
        if top and rng.random() < REPLY_SHARE:
            reply += 1
            post.comments.append(ParsedComment(f"{top}.{reply}", reply, str(top), text, removed, 0))
        else:
            top, reply = top + 1, 0
            post.comments.append(ParsedComment(str(top), top, None, text, removed, 0))
    return post


def generate_archive(out: Path, posts: int, comments_per_post: int, seed: int = 0) -> int:
    """Write `posts` post pages into `out`; returns the number of comments written."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pool = TextPool()
    total = 0
    for index in range(posts):
        count = max(0, round(rng.gauss(comments_per_post, comments_per_post / 4)))
        post = generate_post(rng, pool, index, count)
        (out / f"{index:06d}.txt").write_text(format_post(post), encoding="utf-8")
        total += count
    return total
