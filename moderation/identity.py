"""Sealed identity: what moderators know an author by, and the one way to learn more.

A comment posted as "Anonymous" shows moderators its author's pseudonymous handle and
their history (enough to moderate); the account's name and address appear only after a
reveal, which needs a written reason and is logged for every other moderator to see.
Handles are shown only beside anonymous comments: beside a signed one the handle would
tie the person's anonymous comments to their name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from forum.models import ANONYMOUS, Comment, CommentStatus

from .models import Flag, LogAction, LogEntry

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True, slots=True)
class History:
    """An account's record, as moderators see it next to a handle."""

    approved: int = 0
    rejected: int = 0
    spam: int = 0
    flags: int = 0  # flags readers put on this account's comments


def _per_author(queryset, author_field: str) -> Coalesce:
    """A count per account as a correlated subquery (no join that multiplies rows)."""
    counts = (
        queryset.filter(**{author_field: OuterRef("pk")})
        .order_by()
        .values(author_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def history_counts(user_ids: Iterable[int]) -> dict[int, History]:
    """The history of every account in `user_ids`, in one query however many there are."""
    ids = set(user_ids)
    if not ids:
        return {}
    comments = Comment.objects.filter(level__gt=0)
    rows = (
        get_user_model()
        .objects.filter(pk__in=ids)
        .annotate(
            approved=_per_author(comments.filter(number__isnull=False), "author"),
            rejected=_per_author(comments.filter(status=CommentStatus.REJECTED), "author"),
            spam=_per_author(comments.filter(status=CommentStatus.SPAM), "author"),
            flags=_per_author(Flag.objects.all(), "comment__author"),
        )
        .values_list("pk", "approved", "rejected", "spam", "flags")
    )
    return {pk: History(*counts) for pk, *counts in rows}


def is_sealed(comment: Comment) -> bool:
    """Posted by an account under "Anonymous": its author is shown only as a handle."""
    return comment.author_id is not None and comment.display_name == ANONYMOUS


def sealed_comments() -> Q:
    """The same test as a filter."""
    return Q(author__isnull=False, display_name=ANONYMOUS)


def reveal(comment: Comment, moderator: User, reason: str) -> LogEntry:
    """Record that `moderator` looked behind `comment`'s handle, and why. The caller
    shows the identity only after this row is written."""
    return LogEntry.objects.create(
        action=LogAction.REVEAL,
        comment=comment,
        subject_id=comment.author_id,
        moderator=moderator,
        reason=reason,
    )


def reveals():
    """Every reveal, newest first, for the moderators' list."""
    return LogEntry.objects.filter(action=LogAction.REVEAL).select_related(
        "moderator", "subject", "comment__post"
    )
