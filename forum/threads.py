"""Every change to a comment tree goes through here, under the post's row lock.

django-mptt rewrites lft/rght of many rows on each insert or move; two writers doing
that at once on one tree corrupt it. Locking the post row (`SELECT ... FOR UPDATE` on
PostgreSQL; SQLite's IMMEDIATE transactions serialise writers anyway) makes each tree
change atomic. Moderation changes status fields only and never deletes a node.

Lock order (issue 15: moderators and readers deadlocked on PostgreSQL). Every
transaction that changes comments takes its locks in this order, so no two can wait
for each other in a circle:

1. The post rows, `lock_posts()`: one statement, `ORDER BY id` (PostgreSQL locks rows
   in the order the sort returns them), before anything else is written. A reply
   locks its one post; a moderator's bulk action locks every post it touches at once.
   Other writers of several post rows (the admin's close/open comments, the importer's
   batches) take them the same way.
2. Comment rows of those posts' trees: mptt's lft/rght shifts, numbers, status. Every
   writer of a tree holds its post's lock, so these never wait on each other; a bulk
   action works through its comments oldest first.
3. `search_document` rows, written by the search triggers inside the same statements:
   the comment's row and its post's row (`comment_count`). Only the post's lock holder
   writes them (`rebuild_search_index` takes the forum tables whole before it starts).
4. moderation's rows: open Flag rows resolved, new Flag and LogEntry rows. Their foreign
   keys take KEY SHARE locks on the comment and user rows, which never conflict with
   the row updates above.

Mail leaves after the commit (`transaction.on_commit`) and the page cache's generation
lives in the cache, so neither holds a database lock. On SQLite every transaction
begins IMMEDIATE, taking the database's one write lock at once, so the same code simply
runs one writer at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import Max
from django.dispatch import Signal
from django.utils import timezone

from .cache import invalidate_pages
from .models import ANONYMOUS, Comment, CommentStatus, Post, RemovedBy

if TYPE_CHECKING:
    from accounts.models import User

# Sent only once the transaction commits (moderation's notifications listen), so a mail
# failure can never roll back a comment. comment_added: every comment add_comment()
# stores; comment_published: a held comment made public for the first time.
comment_added = Signal()
comment_published = Signal()


def _after_commit(signal: Signal, comment: Comment) -> None:
    transaction.on_commit(partial(signal.send, sender=Comment, comment=comment), robust=True)


def lock_posts(post_ids: Iterable[int], *, timeout: float | None = None) -> None:
    """Take these posts' row locks, in id order, for the rest of the current transaction.

    The one place post locks are taken (step 1 of the lock order above). `timeout`
    (seconds, PostgreSQL) bounds every lock wait of the rest of the transaction: past
    it the statement fails with OperationalError instead of waiting on."""
    ids = sorted(set(post_ids))
    if timeout is not None and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{timeout * 1000:.0f}"])
    locked = Post.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    list(locked.values_list("pk", flat=True))


def lock_post(post_id: int) -> None:
    """Take one post's row lock for the rest of the current transaction."""
    lock_posts([post_id])


def lock_threads(comments: Iterable[Comment], *, timeout: float | None = None) -> list[Comment]:
    """Lock the posts of `comments` (post-id order) and read the comments again under the
    locks, oldest first: what was read before may have changed while we waited."""
    comments = list(comments)
    lock_posts({c.post_id for c in comments}, timeout=timeout)
    fresh = Comment.objects.filter(pk__in=[c.pk for c in comments])
    return list(fresh.select_related("post").order_by("created_at", "pk"))


def root_of(post: Post) -> Comment:
    return Comment.objects.get(tree_id=post.tree_id, level=0)


def add_comment(
    post: Post,
    parent: Comment | None,
    *,
    body: str,
    author: User | None,
    display_name: str = ANONYMOUS,
    status: str = CommentStatus.PENDING,
) -> Comment:
    """Insert a comment as the last child of `parent` (or at top level); number it if published."""
    with transaction.atomic():
        lock_post(post.pk)
        target = parent if parent is not None else root_of(post)
        comment = Comment(
            post=post, body=body, author=author, display_name=display_name, status=status
        )
        comment.insert_at(target, position="last-child", save=True)
        if status == CommentStatus.PUBLISHED:
            _number(comment)
        _after_commit(comment_added, comment)
    return comment


def publish(comment: Comment) -> Comment:
    """Make a comment public. A first publication takes the next number among its siblings
    and moves the node after them, so siblings stay in number order."""
    with transaction.atomic(savepoint=False):  # a failure fails the caller's whole block
        lock_post(comment.post_id)
        comment.refresh_from_db()
        comment.status = CommentStatus.PUBLISHED
        comment.removed_by = RemovedBy.NOBODY
        if comment.number is None:
            _number(comment)
            _after_commit(comment_published, comment)
        else:
            comment.save(update_fields=["status", "removed_by", "updated_at"])
    return comment


def set_status(comment: Comment, status: str, removed_by: str = RemovedBy.NOBODY) -> Comment:
    """Hide or remove a comment. Its node, number and replies all stay where they are."""
    if status == CommentStatus.PUBLISHED:
        return publish(comment)
    with transaction.atomic(savepoint=False):  # a failure fails the caller's whole block
        lock_post(comment.post_id)
        Comment.objects.filter(pk=comment.pk).update(
            status=status, removed_by=removed_by, updated_at=timezone.now()
        )
    comment.status, comment.removed_by = status, removed_by
    invalidate_pages()  # .update() sends no post_save: cached pages must not show it
    return comment


def _number(comment: Comment) -> None:
    """Give `comment` the next sibling number (caller holds the post lock)."""
    siblings = Comment.objects.filter(parent_id=comment.parent_id).exclude(pk=comment.pk)
    last = siblings.aggregate(n=Max("number"))["n"] or 0
    parent = Comment.objects.only("path", "level").get(pk=comment.parent_id)
    comment.number = last + 1
    comment.path = f"{parent.path}.{comment.number}" if parent.level > 0 else str(comment.number)
    comment.published_at = comment.published_at or timezone.now()
    comment.save(
        update_fields=["number", "path", "status", "removed_by", "published_at", "updated_at"]
    )
    if siblings.filter(lft__gt=comment.lft).exists():
        comment.move_to(Comment.objects.get(pk=comment.parent_id), "last-child")
