"""Moderation decisions: status changes through forum.threads, each one logged.

Nothing here deletes a node or renumbers a sibling: publishing gives a held comment the
next number (forum.threads.publish), everything else flips status fields only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from forum.models import Comment, CommentStatus, RemovedBy
from forum.threads import publish, set_status

from .models import Flag, LogAction, LogEntry, WatchedUser
from .notifications import schedule_queue_digest

if TYPE_CHECKING:
    from accounts.models import User

# Status each action leaves a comment in, and the statuses it applies to.
TARGET = {
    LogAction.PUBLISH: CommentStatus.PUBLISHED,
    LogAction.RESTORE: CommentStatus.PUBLISHED,
    LogAction.REJECT: CommentStatus.REJECTED,
    LogAction.SPAM: CommentStatus.SPAM,
    LogAction.REMOVE: CommentStatus.REMOVED,
    LogAction.AUTO_HIDE: CommentStatus.PENDING,
}
APPLIES_TO = {
    LogAction.PUBLISH: {CommentStatus.PENDING},
    LogAction.RESTORE: {CommentStatus.REMOVED, CommentStatus.SPAM, CommentStatus.REJECTED},
    LogAction.REJECT: {CommentStatus.PENDING, CommentStatus.PUBLISHED},
    LogAction.SPAM: {CommentStatus.PENDING, CommentStatus.PUBLISHED, CommentStatus.REJECTED},
    LogAction.REMOVE: {CommentStatus.PUBLISHED, CommentStatus.PENDING},
    LogAction.AUTO_HIDE: {CommentStatus.PUBLISHED},
}


def moderate(
    comment: Comment, action: str, moderator: User | None, reason: str = ""
) -> LogEntry | None:
    """Apply `action` to one comment and log it; None when it does not apply to its status.

    Publishing an already published comment dismisses its open flags (a moderator kept it)."""
    with transaction.atomic():
        before = comment.status
        open_flags = Flag.objects.filter(comment=comment, resolved=False)
        if action == LogAction.PUBLISH and before == CommentStatus.PUBLISHED:
            if not open_flags.update(resolved=True):
                return None
            action = LogAction.DISMISS
        elif before not in APPLIES_TO[action]:
            return None
        elif TARGET[action] == CommentStatus.PUBLISHED:
            publish(comment)
        else:
            removed_by = RemovedBy.NOBODY if action == LogAction.AUTO_HIDE else RemovedBy.MODERATOR
            set_status(comment, TARGET[action], removed_by=removed_by)
        if action != LogAction.AUTO_HIDE:
            open_flags.update(resolved=True)
        return LogEntry.objects.create(
            comment=comment,
            moderator=moderator,
            action=action,
            from_status=before,
            to_status=comment.status,
            reason=reason[:300],
        )


def moderate_many(
    comments: Iterable[Comment], action: str, moderator: User | None, reason: str = ""
) -> int:
    """Apply `action` to each comment, oldest first so published numbers follow arrival."""
    ordered = sorted(comments, key=lambda c: (c.created_at, c.pk))
    return sum(moderate(c, action, moderator, reason) is not None for c in ordered)


def flag(comment: Comment, user: User, reason: str) -> bool:
    """Record `user`'s flag (once per comment); hide the comment for review once
    FORUM_FLAGS_TO_HIDE distinct readers have open flags on it. True if newly flagged."""
    with transaction.atomic():
        _, created = Flag.objects.get_or_create(
            comment=comment, user=user, defaults={"reason": reason}
        )
        flaggers = Flag.objects.filter(comment=comment, resolved=False).count()
        if created and flaggers >= settings.FORUM_FLAGS_TO_HIDE:
            hidden = moderate(comment, LogAction.AUTO_HIDE, None, f"{flaggers} readers flagged it")
            if hidden is not None:
                transaction.on_commit(schedule_queue_digest, robust=True)
    return created


def suspend(users: Iterable[User]) -> int:
    """Suspended users can read and log in but cannot post (moderation.rules refuses)."""
    ids = {u.pk for u in users if u is not None}
    return get_user_model().objects.filter(pk__in=ids, is_suspended=False).update(is_suspended=True)


def watch(users: Iterable[User], moderator: User) -> int:
    """Hold every future comment of these users for a moderator, whatever their history."""
    made = 0
    for user in {u for u in users if u is not None}:
        _, created = WatchedUser.objects.get_or_create(
            user=user, defaults={"created_by": moderator}
        )
        made += created
    return made
