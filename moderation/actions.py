"""Moderation decisions: status changes through forum.threads, each one logged.

Nothing here deletes a node or renumbers a sibling: publishing gives a held comment the
next number (forum.threads.publish), everything else flips status fields only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from forum.cache import invalidate_pages
from forum.models import Comment, CommentStatus, Post, RemovedBy
from forum.permissions import restorable
from forum.threads import lock_post, lock_threads, publish, set_status

from .models import Flag, Hold, LogAction, LogEntry, WatchedUser
from .notifications import TOLD, notify_author_decided, schedule_queue_digest

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL: lock_timeout ran out

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


class ActionFailed(Exception):
    """A bulk action stopped on a database error and was rolled back: nothing changed.
    Its text is what the moderator reads."""


def moderate(
    comment: Comment, action: str, moderator: User | None, reason: str = ""
) -> LogEntry | None:
    """Apply `action` to one comment under its post's lock and log it; None when it does
    not apply to the comment's status (read again under the lock)."""
    with transaction.atomic():
        lock_post(comment.post_id)
        comment.refresh_from_db()
        return _apply(comment, action, moderator, reason)


def moderate_many(
    comments: Iterable[Comment], action: str, moderator: User | None, reason: str = ""
) -> int:
    """Apply `action` to every comment, all or nothing; the number it applied to.

    One transaction locks every post concerned (in id order, before any change), then
    works through the comments oldest first, so published numbers follow arrival. Any
    database error (a lock held past FORUM_MODERATION_LOCK_TIMEOUT, a constraint) rolls
    the whole action back and raises ActionFailed."""
    what = "the comments"  # until the posts are locked
    try:
        with transaction.atomic():
            timeout = settings.FORUM_MODERATION_LOCK_TIMEOUT
            done = 0
            for comment in lock_threads(comments, timeout=timeout):
                what = f"comment {_ref(comment)}"  # as the queue shows it, before the change
                done += _apply(comment, action, moderator, reason) is not None
            what = "the comments"
    except DatabaseError as error:
        logger.warning("Moderation action %s rolled back", action, exc_info=True)
        raise ActionFailed(_failure(action, what, error)) from error
    return done


def _failure(action: str, what: str, error: DatabaseError) -> str:
    """What the moderator reads when a bulk action on `what` is rolled back."""
    if getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
        waited = settings.FORUM_MODERATION_LOCK_TIMEOUT
        why = f"waited more than {waited:g} s for another change to finish; try again"
    else:
        why = f"the database refused it: {str(error).splitlines()[0]}"
    verb = LogAction(action).label.lower()
    return f"Nothing was changed: {what} could not be {verb} ({why})."


def _ref(comment: Comment) -> str:
    number = f"#{comment.path}" if comment.path else f"(new, id {comment.pk})"
    return f"{number} on “{comment.post.title}”"


def _apply(comment: Comment, action: str, moderator: User | None, reason: str) -> LogEntry | None:
    """moderate()'s work, for a comment read under its post's lock."""
    before = comment.status
    open_flags = Flag.objects.filter(comment=comment, resolved=False)
    if action == LogAction.PUBLISH and before == CommentStatus.PUBLISHED:
        # Publishing a published comment keeps it: it dismisses its open flags.
        if not open_flags.update(resolved=True):
            return None
        action = LogAction.DISMISS
    elif before not in APPLIES_TO[action]:
        return None
    elif action == LogAction.RESTORE and not restorable(before, comment.removed_by):
        return None
    elif TARGET[action] == CommentStatus.PUBLISHED:
        publish(comment)
    else:
        removed_by = RemovedBy.NOBODY if action == LogAction.AUTO_HIDE else RemovedBy.MODERATOR
        set_status(comment, TARGET[action], removed_by=removed_by)
    if action != LogAction.AUTO_HIDE:
        open_flags.update(resolved=True)
    if action in TOLD:
        verb = TOLD[action]
        transaction.on_commit(lambda: notify_author_decided(comment, verb, reason), robust=True)
    return LogEntry.objects.create(
        comment=comment,
        moderator=moderator,
        action=action,
        from_status=before,
        to_status=comment.status,
        reason=reason[:300],
    )


def flag(comment: Comment, user: User, reason: str) -> bool:
    """Record `user`'s flag (once per comment); hide the comment for review once
    FORUM_FLAGS_TO_HIDE distinct readers have open flags on it. True if newly flagged.

    Under the post's lock from the start, so two readers flagging at once count each
    other's flags, and the hiding takes its locks in the order every writer does."""
    with transaction.atomic():
        lock_post(comment.post_id)
        comment.refresh_from_db()
        _, created = Flag.objects.get_or_create(
            comment=comment, user=user, defaults={"reason": reason}
        )
        flaggers = Flag.objects.filter(comment=comment, resolved=False).count()
        if created and flaggers >= settings.FORUM_FLAGS_TO_HIDE:
            why = f"{flaggers} readers flagged it"
            hidden = moderate(comment, LogAction.AUTO_HIDE, None, why)
            if hidden is not None:
                hold(comment, [why])
                transaction.on_commit(schedule_queue_digest, robust=True)
    return created


def hold(comment: Comment, reasons: Iterable[str]) -> None:
    """Store why `comment` waits, as the rules say now (see `Hold`)."""
    Hold.objects.update_or_create(
        comment=comment, defaults={"reasons": list(reasons), "held_at": timezone.now()}
    )


def _about(user: User, moderator: User | None, action: str, reason: str) -> LogEntry:
    return LogEntry.objects.create(
        subject=user, moderator=moderator, action=action, reason=reason[:300]
    )


def suspend(
    user: User, moderator: User | None, reason: str, until: datetime | None = None
) -> LogEntry:
    """Suspend `user` until `until` (None: until lifted). Suspended users can read and log
    in but cannot post, reply, flag or rename themselves (forum.permissions.is_suspended)."""
    user.is_suspended, user.suspended_until = True, until
    user.save(update_fields=["is_suspended", "suspended_until"])
    ends = f"until {timezone.localtime(until):%d %b %Y %H:%M}" if until else "indefinitely"
    return _about(user, moderator, LogAction.SUSPEND, f"{ends}: {reason}" if reason else ends)


def lift(user: User, moderator: User | None, reason: str = "") -> LogEntry | None:
    """End `user`'s suspension now; None if they were not suspended."""
    if not user.is_suspended:
        return None
    user.is_suspended, user.suspended_until = False, None
    user.save(update_fields=["is_suspended", "suspended_until"])
    return _about(user, moderator, LogAction.LIFT, reason)


def watch(user: User, moderator: User, reason: str = "") -> LogEntry | None:
    """Hold every future comment of `user` for a moderator, whatever their history; None
    if they already were."""
    _, created = WatchedUser.objects.get_or_create(user=user, defaults={"created_by": moderator})
    return _about(user, moderator, LogAction.WATCH, reason) if created else None


def unwatch(user: User, moderator: User, reason: str = "") -> LogEntry | None:
    """Back to the normal rules; None if `user` was not watched."""
    deleted, _ = WatchedUser.objects.filter(user=user).delete()
    return _about(user, moderator, LogAction.UNWATCH, reason) if deleted else None


def restore_trust(user: User, moderator: User, reason: str = "") -> LogEntry:
    """Forgive `user`'s comments marked as spam so far: the rules count only later ones."""
    return _about(user, moderator, LogAction.RESTORE_TRUST, reason)


def note(user: User, moderator: User, text: str) -> LogEntry | None:
    """A moderator's note about `user`, for the other moderators; None if empty."""
    return _about(user, moderator, LogAction.NOTE, text) if text.strip() else None


def cool_post(
    post: Post, moderator: User | None, action: str, reason: str = "", minutes: int = 0
) -> LogEntry | None:
    """Close or reopen comments on `post`, or set its slow mode (`minutes`, 0: off), and
    log it; None if it already was so. Under the post's lock, like every post writer."""
    change = {
        LogAction.CLOSE: {"comments_open": False},
        LogAction.REOPEN: {"comments_open": True},
        LogAction.SLOW_MODE: {"slow_mode_minutes": minutes},
    }[action]
    if action == LogAction.SLOW_MODE:
        said = f"{minutes} minutes" if minutes else "off"
        reason = f"{said}: {reason}" if reason else said
    with transaction.atomic():
        lock_post(post.pk)
        if not Post.objects.filter(pk=post.pk).exclude(**change).update(**change):
            return None
        entry = LogEntry.objects.create(
            post=post, moderator=moderator, action=action, reason=reason[:300]
        )
    invalidate_pages()  # update() sends no signal; cached pages would still show the form
    return entry
