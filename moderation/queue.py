"""The moderation queue's vocabulary: what waits for a moderator.

Moderation's own words over forum's comments, kept here so that forum never needs to
know about flags: forum's models stand on their own, moderation builds on them.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from forum.models import Comment, CommentQuerySet, CommentStatus, Post, RemovedBy
from forum.permissions import restorable

from .models import Flag, LogAction


def open_flag_comment_ids() -> QuerySet:
    """Ids of comments with an open flag, as an indexed IN (...) subquery: neither a join
    (which needs DISTINCT) nor a per-row flag count evaluated for every comment."""
    return Flag.objects.filter(resolved=False).values("comment_id")


def flagged(comments: CommentQuerySet) -> CommentQuerySet:
    """Of `comments`, those with a reader's flag no moderator has dealt with yet."""
    return comments.filter(pk__in=open_flag_comment_ids())


def flagged_in(post: Post) -> frozenset[int]:
    """Ids of the post's comments with an open flag: one query, for the moderator's page."""
    ids = Flag.objects.filter(resolved=False, comment__post=post).values_list("comment_id")
    return frozenset(pk for (pk,) in ids)


def waiting(comments: CommentQuerySet | None = None) -> CommentQuerySet:
    """The queue: pending comments, and flagged ones (of `comments`, or of all)."""
    comments = Comment.objects.all() if comments is None else comments
    return comments.comments().filter(
        Q(status=CommentStatus.PENDING) | Q(pk__in=open_flag_comment_ids())
    )


# The buttons a moderator gets beside a comment on the post page, by its status.
_PUBLISH = (LogAction.PUBLISH, "Publish")
_KEEP = (LogAction.PUBLISH, "Keep (dismiss the flags)")  # publishing a published comment
_REJECT = (LogAction.REJECT, "Reject")
_SPAM = (LogAction.SPAM, "Spam")
_REMOVE = (LogAction.REMOVE, "Remove")
_RESTORE = (LogAction.RESTORE, "Restore")
_DECISIONS = {
    CommentStatus.PENDING: (_PUBLISH, _REJECT, _SPAM, _REMOVE),
    CommentStatus.PUBLISHED: (_KEEP, _REJECT, _SPAM, _REMOVE),
    CommentStatus.REJECTED: (_RESTORE, _SPAM),
}


def decisions(status: str, removed_by: str) -> tuple[tuple[str, str], ...]:
    """(action, label) of each decision a moderator may take on a comment in this state."""
    if status in _DECISIONS:
        return _DECISIONS[status]
    return (_RESTORE,) if restorable(status, removed_by) else ()


def held_label(status: str, removed_by: str, *, awaiting: bool = False) -> str:
    """What a moderator reads beside the buttons of a comment readers do not see, or that
    readers flagged ("" for one the page already marks as awaiting moderation)."""
    if awaiting:
        return ""
    if status == CommentStatus.PUBLISHED:
        return "Flagged by readers"
    if status == CommentStatus.REMOVED:
        return f"Removed by {RemovedBy(removed_by).label}"
    return CommentStatus(status).label
