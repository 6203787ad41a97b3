"""Big published threads written in bulk, for query-count tests and benchmarks.

Inserting 1,000 comments one by one through `forum.threads.add_comment` rewrites the
tree 1,000 times; this lays the whole tree out once with `forum.trees.layout` and writes
it with two `bulk_create` calls, keeping the invariants the importer keeps (tree_id =
post.pk under the post's hidden root, lft/rght/level, number paths, body_html)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from forum.models import Comment, CommentStatus, Post
from forum.text import render_text
from forum.threads import lock_post, root_of
from forum.trees import Node, layout


def bulk_thread(post: Post, top_level: int, replies_each: int = 0) -> int:
    """Give a post with no comments yet `top_level` published comments with
    `replies_each` replies under each; returns the number of comments written."""
    now = timezone.now()
    with transaction.atomic():
        lock_post(post.pk)
        root = root_of(post)
        nodes = [Node(id=(), parent_id=None)]
        for i in range(1, top_level + 1):
            nodes.append(Node(id=(i,), parent_id=(), number=i))
            nodes += [Node(id=(i, j), parent_id=(i,), number=j) for j in range(1, replies_each + 1)]
        places = layout(nodes)

        def make(key: tuple[int, ...], parent: Comment) -> Comment:
            place = places[key]
            body = f"Comment {'.'.join(map(str, key))}: the view from the office, https://example.org/{key[-1]}"
            return Comment(
                post=post,
                parent=parent,
                tree_id=post.tree_id,
                lft=place.lft,
                rght=place.rght,
                level=place.level,
                number=key[-1],
                path=".".join(map(str, key)),
                status=CommentStatus.PUBLISHED,
                body=body,
                body_html=render_text(body),
                created_at=now,
                published_at=now,
            )

        tops = Comment.objects.bulk_create([make((i,), root) for i in range(1, top_level + 1)])
        replies = [
            make((i, j), top) for i, top in enumerate(tops, 1) for j in range(1, replies_each + 1)
        ]
        Comment.objects.bulk_create(replies, batch_size=500)
        Comment.objects.filter(pk=root.pk).update(rght=places[()].rght)
    return len(tops) + len(replies)
