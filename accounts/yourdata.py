"""A person's own data: a copy of everything held about them, and the account's deletion.

`export()` gathers what accounts/privacy.py declares as theirs, in a few queries whatever
the amount. `delete_account()` leaves no row holding their address, name or a link to
their comments: comments are never deleted (a number, once given, is public forever, and
replies hang from it), so they are detached from the account and, as the person
chooses, either stay shown as "Anonymous" or become "removed by the author" placeholders.

The one module of accounts that reaches into the apps above it: a person's data lives in
all of them, and accounts/privacy.py's declaration says where.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.contrib.admin.models import LogEntry as AdminLogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from forum.cache import invalidate_pages
from forum.models import ANONYMOUS, Comment, CommentStatus, RemovedBy
from forum.permissions import is_suspended
from forum.threads import lock_posts, set_status
from moderation.models import Flag, LogEntry, Unsubscribe, WatchedUser
from outbox.models import Mail
from watching.models import Watch

if TYPE_CHECKING:
    from .models import User


def _when(moment) -> str | None:
    return moment.isoformat() if moment else None


def export(user: User, absolute: Any = str) -> dict:
    """Everything held about `user`, as JSON-ready data; `absolute` turns a path into a
    full URL."""
    comments = list(
        Comment.objects.comments()
        .filter(author=user)
        .select_related("post", "hold")
        .order_by("created_at", "pk")
    )
    decisions = (
        LogEntry.objects.filter(Q(comment__author=user) | Q(subject=user))
        .order_by("created_at", "pk")
        .values("comment_id", "action", "from_status", "to_status", "reason", "created_at")
    )
    flags = Flag.objects.filter(user=user).select_related("comment__post").order_by("created_at")
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "email_addresses": list(
                EmailAddress.objects.filter(user=user).values("email", "verified", "primary")
            ),
            "handle": user.handle,
            "display_name": user.display_name,
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
            "is_suspended": is_suspended(user),
            "suspended_until": _when(user.suspended_until),
            "every_comment_moderated": WatchedUser.objects.filter(user=user).exists(),
        },
        "preferences": {
            "post_as_anonymous_by_default": user.comment_anonymously,
            "mail_about_replies": user.notify_replies,
            "mail_turned_off": sorted(
                Unsubscribe.objects.filter(user=user).values_list("kind", flat=True)
            ),
            "threads_watched": [
                {"post": title, "since": _when(since)}
                for title, since in Watch.objects.filter(user=user)
                .order_by("created_at")
                .values_list("post__title", "created_at")
            ],
        },
        "comments": [
            {
                "id": c.pk,
                "post": c.post.title,
                "url": absolute(c.get_absolute_url()) if c.path else None,
                "number": c.path or None,
                "status": c.status,
                "removed_by": c.removed_by,
                "shown_as": c.display_name,
                "text": c.body,
                "held_because": c.hold.reasons if hasattr(c, "hold") else [],
                "created_at": _when(c.created_at),
                "published_at": _when(c.published_at),
            }
            for c in comments
        ],
        "flags_you_made": [
            {
                "comment_id": f.comment_id,
                "post": f.comment.post.title,
                "reason": f.reason,
                "resolved": f.resolved,
                "created_at": _when(f.created_at),
            }
            for f in flags
        ],
        # Moderators' decisions on your comments and about your account (their names
        # stay out: they are people too).
        "moderation_decisions": [{**d, "created_at": _when(d["created_at"])} for d in decisions],
    }


class Keep:
    """What becomes of a deleted account's published comments."""

    AS_ANONYMOUS = "anonymous"
    NOTHING = "remove"
    CHOICES = [
        (AS_ANONYMOUS, "Keep my published comments, shown as “Anonymous” and linked to nobody"),
        (NOTHING, "Replace my published comments with “removed by the author”"),
    ]


@transaction.atomic
def delete_account(user: User, keep: str) -> None:
    """Delete `user` and every row that names them, under the post locks of their comments
    (forum.threads' order: posts first, then comments)."""
    mine = list(Comment.objects.comments().filter(author=user).order_by("pk"))
    lock_posts({c.post_id for c in mine})
    shown: list[int] = []
    for comment in mine:
        if comment.status == CommentStatus.PUBLISHED and keep == Keep.AS_ANONYMOUS:
            shown.append(comment.pk)
        elif comment.status in (CommentStatus.PUBLISHED, CommentStatus.PENDING):
            set_status(comment, CommentStatus.REMOVED, RemovedBy.AUTHOR)
    now = timezone.now()
    Comment.objects.filter(pk__in=shown).update(author=None, display_name=ANONYMOUS, updated_at=now)
    Comment.objects.filter(author=user).update(
        author=None, display_name=ANONYMOUS, body="", body_html="", updated_at=now
    )
    Flag.objects.filter(user=user).delete()
    addresses = {user.email, *user.emailaddress_set.values_list("email", flat=True)} - {""}
    queued_to_them = Q(pk__in=[])
    for address in addresses:
        queued_to_them |= Q(to__iexact=address)
    Mail.objects.filter(queued_to_them).delete()
    _delete_sessions(user)
    AdminLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk)
    ).delete()
    user.delete()  # cascades: addresses, watches, unsubscribes; the log keeps no link
    transaction.on_commit(invalidate_pages)


def _delete_sessions(user: User) -> None:
    """Every login of the account (the database sessions carry its id and address)."""
    doomed = [
        session.session_key
        for session in Session.objects.iterator()
        if session.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    Session.objects.filter(session_key__in=doomed).delete()
