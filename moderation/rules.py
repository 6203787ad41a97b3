"""Whether a new comment is published, held for a moderator, or refused.

`decide()` is the one place the trust rules (issue 5) and the moderators' editable rules
(issue 6) meet; the posting views call it before inserting a comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from forum.models import Comment, CommentStatus, Post
from forum.text import render_text

from .models import Mode, ModerationRules, WatchedUser

if TYPE_CHECKING:
    from accounts.models import User

CLOSED = "Comments are closed on this post."
SUSPENDED = "Your account is suspended: you cannot post comments."
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


def is_moderator(user: User) -> bool:
    return user.is_staff or user.has_perm("moderation.moderate_comment")


def approved_count(user: User) -> int:
    """Comments of `user` a moderator let through (numbered: published at least once)."""
    return Comment.objects.comments().filter(author=user, number__isnull=False).count()


def is_trusted(user: User, first_n: int) -> bool:
    """Trusted once `first_n` comments were approved, unless one was ever marked spam."""
    mine = Comment.objects.comments().filter(author=user)
    if mine.filter(status=CommentStatus.SPAM).exists():
        return False
    return approved_count(user) >= first_n


def account_reasons(rules: ModerationRules, *, watched: bool, trusted: bool) -> list[str]:
    """Why the rules hold anything this account writes."""
    reasons = []
    if rules.mode == Mode.ALL:
        reasons.append("every comment is moderated")
    if watched:
        reasons.append("all of this account's comments are moderated")
    elif rules.mode == Mode.FIRST_N and not trusted:
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
    """Publish, hold (with reasons) or refuse (with a message) `user`'s comment on `post`."""
    if not post.comments_open or not post.is_published:
        return Decision(CommentStatus.PENDING, refused=CLOSED)
    if getattr(user, "is_suspended", False) or not user.is_active:
        return Decision(CommentStatus.PENDING, refused=SUSPENDED)
    if is_moderator(user):
        return Decision(CommentStatus.PUBLISHED)

    rules = ModerationRules.load()
    if matching_words(body, word_list(rules.block_words)):
        return Decision(CommentStatus.PENDING, refused=BLOCKED)

    watched = WatchedUser.objects.filter(user=user).exists()
    trusted = rules.mode != Mode.FIRST_N or watched or is_trusted(user, rules.first_n)
    reasons = account_reasons(rules, watched=watched, trusted=trusted)
    reasons += content_reasons(rules, post, body)
    if reasons:
        return Decision(CommentStatus.PENDING, reasons=tuple(reasons))
    return Decision(CommentStatus.PUBLISHED)
