"""Whether a new comment is published, held for a moderator, or refused for its words.

`decide()` is the one place the trust rules and the moderators' editable rules meet; the
posting view calls it, once `forum.permissions` has said the author may post at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, DateTimeField, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from forum.models import Comment, CommentStatus, Post
from forum.permissions import can_moderate
from forum.text import render_text

from .models import LogAction, LogEntry, Mode, ModerationRules, WatchedUser

if TYPE_CHECKING:
    from accounts.models import User

BLOCKED = "Your comment contains words that are not allowed here."

_ANCHOR = re.compile(r"<a\s")


@dataclass(frozen=True)
class Decision:
    status: str  # CommentStatus.PUBLISHED or CommentStatus.PENDING
    refused: str = ""  # non-empty = do not store the comment; message for the user
    reasons: tuple[str, ...] = ()  # why it is held (shown to moderators)


def word_list(text: str) -> list[str]:
    """The admin's word box: one word or phrase a line (commas also separate)."""
    return [w.strip() for w in re.split(r"[\n,]", text) if w.strip()]


def matching_words(body: str, words: list[str]) -> list[str]:
    """The listed words that occur in `body` as whole words, in any case.

    Lookarounds rather than \\b so a word ending in punctuation ("f*ck!") still works,
    and "socialism" never matches "cialis"."""
    found = []
    for word in words:
        pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, word.split())) + r"(?!\w)"
        if re.search(pattern, body, re.IGNORECASE):
            found.append(word)
    return found


def count_links(body: str) -> int:
    """Links as readers would see them: what the renderer turns into <a> tags."""
    return len(_ANCHOR.findall(render_text(body)))


@dataclass(frozen=True)
class Record:
    """What an account's past comments say about it."""

    approved: int = 0  # let through by a moderator (numbered: published at least once)
    spam: int = 0  # marked as spam, now, and not forgiven by a restored trust


APPROVED = Q(number__isnull=False)
SPAM = Q(status=CommentStatus.SPAM)


NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def unforgiven_spam(user: User) -> Q:
    """The account's comments marked as spam that were written after a moderator last
    restored its trust (all of them if nobody has): restoring trust forgives the past."""
    restored = (
        LogEntry.objects.filter(subject=user, action=LogAction.RESTORE_TRUST)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    since = Coalesce(Subquery(restored), Value(NEVER), output_field=DateTimeField())
    return SPAM & Q(created_at__gt=since)


def record(user: User) -> Record:
    counts = (
        Comment.objects.comments()
        .filter(author=user)
        .aggregate(
            approved=Count("pk", filter=APPROVED),
            spam=Count("pk", filter=unforgiven_spam(user)),
        )
    )
    return Record(**counts)


def account_reasons(rules: ModerationRules, *, watched: bool, past: Record) -> list[str]:
    """Why the rules hold anything this account writes. Trust comes with `first_n`
    approved comments, and never to an account with a comment marked as spam (until a
    moderator restores its trust: `moderation.actions.restore_trust`)."""
    reasons = []
    if rules.mode == Mode.ALL:
        reasons.append("every comment is moderated")
    if watched:
        reasons.append("all of this account's comments are moderated")
    elif rules.mode == Mode.FIRST_N:
        if past.spam:
            reasons.append("a comment of this account was marked as spam")
        elif past.approved < rules.first_n:
            reasons.append(f"new account (fewer than {rules.first_n} approved comments)")
    return reasons


def content_reasons(rules: ModerationRules, post: Post, body: str) -> list[str]:
    """Why the rules hold this text on this post, whoever wrote it (no queries)."""
    reasons = []
    links = count_links(body)
    if rules.max_links and links >= rules.max_links:
        reasons.append(f"{links} links")
    held = matching_words(body, word_list(rules.hold_words))
    if held:
        reasons.append("hold words: " + ", ".join(held))
    if rules.old_post_days is not None:
        if post.date < timezone.localdate() - timedelta(days=rules.old_post_days):
            reasons.append(f"post older than {rules.old_post_days} days")
    return reasons


def decide(user: User, post: Post, body: str) -> Decision:
    """Publish, hold (with reasons) or refuse (with a message) `user`'s comment on `post`.

    Whether `user` may post on `post` at all is asked first, of `forum.permissions`."""
    if can_moderate(user):
        return Decision(CommentStatus.PUBLISHED)

    rules = ModerationRules.load()
    if matching_words(body, word_list(rules.block_words)):
        return Decision(CommentStatus.PENDING, refused=BLOCKED)

    watched = WatchedUser.objects.filter(user=user).exists()
    past = record(user) if rules.mode == Mode.FIRST_N and not watched else Record()
    reasons = account_reasons(rules, watched=watched, past=past)
    reasons += content_reasons(rules, post, body)
    if reasons:
        return Decision(CommentStatus.PENDING, reasons=tuple(reasons))
    return Decision(CommentStatus.PUBLISHED)
