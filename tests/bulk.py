"""Big published threads written in bulk, for query-count tests and benchmarks.

Inserting 1,000 comments one by one through `forum.threads.add_comment` rewrites the
tree 1,000 times; this lays the whole tree out once with the importer's
`forum.trees.path_layout` and writes it with two `bulk_create` calls, keeping the
invariants the importer keeps (tree_id = post.pk under the post's hidden root,
lft/rght/level, number paths, body_html)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from forum.models import Comment, CommentStatus, Post
from forum.text import render_text
from forum.threads import lock_post, root_of
from forum.trees import ROOT_PATH, path_layout


def bulk_thread(post: Post, top_level: int, replies_each: int = 0) -> int:
    """Give a post with no comments yet `top_level` published comments with
    `replies_each` replies under each; returns the number of comments written."""
    now = timezone.now()
    with transaction.atomic():
        lock_post(post.pk)
        root = root_of(post)
        tops = [str(i) for i in range(1, top_level + 1)]
        replies = {top: [f"{top}.{j}" for j in range(1, replies_each + 1)] for top in tops}
        places = path_layout([*tops, *(path for paths in replies.values() for path in paths)])

        def make(path: str, parent: Comment) -> Comment:
            place = places[path]
            number = int(path.rpartition(".")[2])
            body = f"Comment {path}: the view from the office, https://example.org/{number}"
            return Comment(
                post=post,
                parent=parent,
                tree_id=post.tree_id,
                lft=place.lft,
                rght=place.rght,
                level=place.level,
                number=number,
                path=path,
                status=CommentStatus.PUBLISHED,
                body=body,
                body_html=render_text(body),
                created_at=now,
                published_at=now,
            )

        made = Comment.objects.bulk_create([make(path, root) for path in tops])
        below = [make(path, top) for top in made for path in replies[top.path]]
        Comment.objects.bulk_create(below, batch_size=500)
        Comment.objects.filter(pk=root.pk).update(rght=places[ROOT_PATH].rght)
    return len(made) + len(below)
