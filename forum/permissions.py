"""Who may do what: the one answer that views, forms, the admin, template tags and mail
recipient lists all ask.

A moderator is an active account holding the `moderation.moderate_comment` permission:
a member of the Moderators group (`createmoderator`), or a superuser. Staff status alone
only opens the admin's door; on the public site a staff account outside the group is an
ordinary reader: it sees "Anonymous", and its comments are moderated like anyone's.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from allauth.account.utils import has_verified_email
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from .models import Comment, CommentStatus, RemovedBy

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

    from .models import Post

    Reader = User | AnonymousUser

MODERATE = "moderation.moderate_comment"
SUSPEND = "moderation.suspend_user"

CLOSED = "Comments are closed on this post."
SUSPENDED = "Your account is suspended: you cannot post comments."
UNVERIFIED = "Please verify your email address before commenting: use the link we emailed you."
NOT_REPLYABLE = "The comment you are replying to is not open for replies."
TOO_DEEP = "Replies cannot nest deeper than {depth} levels: reply to an earlier comment."
SLOW_MODE = (
    "Slow mode is on for this post: one comment per person every {minutes} minutes. "
    "You can comment again in {left} minute(s)."
)

# What an author may still take back: not what a moderator has already removed or rejected.
REMOVABLE = frozenset({CommentStatus.PUBLISHED, CommentStatus.PENDING})


def can_moderate(user: Reader) -> bool:
    """Publish, reject, remove and restore comments; see the handle behind an anonymous
    comment, and reveal the account with a logged reason (moderation.identity)."""
    return user.is_authenticated and user.is_active and user.has_perm(MODERATE)


def can_suspend(user: Reader) -> bool:
    """Suspend accounts, and hold every comment of an account for review."""
    return user.is_authenticated and user.is_active and user.has_perm(SUSPEND)


def moderators() -> QuerySet[User]:
    """Every account `can_moderate()` says yes to that has an address to mail."""
    return (
        get_user_model()
        .objects.with_perm(
            MODERATE,
            is_active=True,
            include_superusers=True,
            backend="django.contrib.auth.backends.ModelBackend",
        )
        .exclude(email="")
    )


def is_suspended(user: Reader) -> bool:
    """Suspended now: a timed suspension ends by itself when its time is up (no job
    needed). A suspended account reads and logs in, but cannot post, reply, flag or
    change its display name."""
    if not user.is_authenticated or not user.is_suspended:
        return False
    return user.suspended_until is None or user.suspended_until > timezone.now()


def closed_or_suspended(user: User, post: Post) -> str:
    """Why `user` may not post on `post` whatever they write ("" if they may): no query."""
    if not post.comments_open or not post.is_published:
        return CLOSED
    if is_suspended(user) or not user.is_active:
        return SUSPENDED
    return ""


def comment_refusal(user: User, post: Post) -> str:
    """Why `user` cannot comment on `post` at all ("" if they can): shown instead of the
    form. Moderators need no verified address (a superuser made on the command line has
    none); everyone else verifies theirs first."""
    refusal = closed_or_suspended(user, post)
    if refusal:
        return refusal
    if not has_verified_email(user) and not can_moderate(user):
        return UNVERIFIED
    return ""


def slow_mode_refusal(user: User, post: Post) -> str:
    """Why `user` must wait before commenting again on a post in slow mode ("" if they
    need not): one query, only on a post in slow mode. Moderators are never slowed."""
    minutes = post.slow_mode_minutes
    if not minutes or can_moderate(user):
        return ""
    last = (
        Comment.objects.comments()
        .filter(post=post, author=user)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    ready = last + timedelta(minutes=minutes) if last else None
    if ready is None or ready <= timezone.now():
        return ""
    left = max(1, round((ready - timezone.now()).total_seconds() / 60))
    return SLOW_MODE.format(minutes=minutes, left=left)


class ThreadPermissions:
    """What one reader may do with the comments of one post, decided once per request.

    The post page asks for every row of a thread without building a Comment per row
    (see `forum.thread`), so the questions take the row's plain values; `can_reply()`
    and friends ask the same questions of one Comment."""

    def __init__(self, user: Reader, post: Post) -> None:
        self.user = user
        self.user_pk = user.pk if user.is_authenticated else None
        self.post_open = post.comments_open and post.is_published
        self.post_public = post.is_published
        self.max_depth = settings.FORUM_MAX_DEPTH
        self.suspended = is_suspended(user)
        self._see_authors: bool | None = None

    def reply(self, status: str, level: int) -> bool:
        """Open for replies: published, on an open post, above the depth limit. Whether
        this reader may post at all is `comment_refusal()`'s (readers without an account
        are offered the reply link and asked to log in)."""
        return self.post_open and status == CommentStatus.PUBLISHED and level < self.max_depth

    def reply_refusal(self, status: str, level: int) -> str:
        """Why a comment is not open for replies ("" if it is), for the form's error."""
        if self.reply(status, level):
            return ""
        if self.post_open and status == CommentStatus.PUBLISHED:
            return TOO_DEEP.format(depth=self.max_depth)
        return NOT_REPLYABLE

    def remove(self, status: str, author_id: int | None) -> bool:
        """An author takes back their own comment while it is published or waiting."""
        return self.user_pk is not None and author_id == self.user_pk and status in REMOVABLE

    def flag(self, status: str, author_id: int | None) -> bool:
        """A logged-in reader, not suspended, reports someone else's public comment."""
        return (
            self.user_pk is not None
            and not self.suspended
            and author_id != self.user_pk
            and self.post_public
            and status == CommentStatus.PUBLISHED
        )

    @property
    def see_authors(self) -> bool:
        """Moderators see the handle behind an anonymous comment; asked only when a comment
        needs it, as the permission check may cost queries."""
        if self._see_authors is None:
            self._see_authors = can_moderate(self.user)
        return self._see_authors


def can_reply(user: Reader, comment: Comment) -> bool:
    return ThreadPermissions(user, comment.post).reply(comment.status, comment.level)


def can_remove(user: Reader, comment: Comment) -> bool:
    return ThreadPermissions(user, comment.post).remove(comment.status, comment.author_id)


def can_flag(user: Reader, comment: Comment) -> bool:
    return ThreadPermissions(user, comment.post).flag(comment.status, comment.author_id)


def can_see_author(user: Reader, comment: Comment) -> bool:
    return can_moderate(user)


AUTHOR_REMOVED = "Removed by its author: the author's word stands, it cannot be restored."
# What a moderator may put back: their own decisions, never an author's or the blog's removal.
RESTORABLE = frozenset({CommentStatus.REMOVED, CommentStatus.SPAM, CommentStatus.REJECTED})


def restorable(status: str, removed_by: str) -> bool:
    """A moderator's own removal, rejection or spam mark; the author was told "this cannot
    be undone" when they removed theirs, so that stays removed."""
    if status == CommentStatus.REMOVED:
        return removed_by == RemovedBy.MODERATOR
    return status in RESTORABLE


def can_restore(user: Reader, comment: Comment) -> bool:
    """Publish again what a moderator took down (see `restorable()`)."""
    return can_moderate(user) and restorable(comment.status, comment.removed_by)
