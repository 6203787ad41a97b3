"""Mail about users' comments, sent after the transaction commits.

Listens to forum.threads' after-commit signals, so every path that adds or publishes a
comment notifies, and a failing mail server is logged but never loses a comment. Imported
comments (the blog's archive) never cause mail. Every mail carries a one-click
unsubscribe link and List-Unsubscribe headers (RFC 8058).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db.models import Max
from django.dispatch import receiver
from django.urls import reverse
from django.utils.text import Truncator

from forum.models import Comment
from forum.permissions import moderators
from forum.threads import comment_added, comment_published

from .models import Unsubscribe

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "moderation.unsubscribe"
REPLIES = "replies"
KINDS = {REPLIES, *Unsubscribe.Kind.values}
DIGEST_LOCK = "moderation:queue-mail"
DIGEST_INTERVAL = 600  # seconds: moderators get at most one queue mail per 10 minutes
LAST_MAILED = "moderation:queue-mail-newest"  # newest pending pk already mailed about


def absolute(path: str) -> str:
    return settings.FORUM_SITE_URL.rstrip("/") + path


def unsubscribe_token(user: User, kind: str) -> str:
    """A signed, unguessable token naming the user and the kind of mail to stop."""
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user id, kind) from a token; raises signing.BadSignature if forged or mangled."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if data.get("k") not in KINDS:
        raise signing.BadSignature("unknown kind")
    return int(data["u"]), data["k"]


def wants(user: User | None, kind: str) -> bool:
    if user is None or not user.is_active or not user.email:
        return False
    if kind == REPLIES:
        return user.notify_replies
    return not Unsubscribe.objects.filter(user=user, kind=kind).exists()


def send(user: User, kind: str, subject: str, body: str) -> bool:
    """Send one mail with its unsubscribe link; log (never raise) when the server fails."""
    url = absolute(reverse("moderation:unsubscribe", args=[unsubscribe_token(user, kind)]))
    message = EmailMessage(
        subject=subject,
        body=f"{body}\n\n--\nTo stop these emails, open this link: {url}\n",
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    try:
        message.send()
    except Exception:
        logger.exception("Could not send %s mail to user %s", str(kind), user.pk)
        return False
    return True


def excerpt(comment: Comment) -> str:
    return Truncator(" ".join(comment.body.split())).chars(200)


def notify_moderators() -> bool:
    """Tell moderators comments are waiting, at most once per DIGEST_INTERVAL, and only
    when something arrived since the last mail. True if a mail went out.

    The lock lives in the cache (Redis in production), so the limit holds across app
    servers. Comments arriving while it is held go out with the next comment's mail, or
    with `manage.py mail_moderators` run from cron every few minutes."""
    waiting = Comment.objects.pending().select_related("post").order_by("created_at")
    newest = waiting.aggregate(newest=Max("pk"))["newest"]
    if newest is None or newest <= cache.get(LAST_MAILED, 0):
        return False
    if not cache.add(DIGEST_LOCK, True, DIGEST_INTERVAL):
        return False
    cache.set(LAST_MAILED, newest, None)
    count = waiting.count()
    lines = [f"{count} comment(s) are waiting for moderation:", ""]
    lines += [f"- {c.post.title}: {excerpt(c)}" for c in waiting[:10]]
    queue = absolute(reverse("admin:forum_comment_changelist"))
    lines += ["", f"Open the queue: {queue}"]
    subject = f"{count} comment(s) awaiting moderation"
    for user in moderators():
        if wants(user, Unsubscribe.Kind.QUEUE):
            send(user, Unsubscribe.Kind.QUEUE, subject, "\n".join(lines))
    return True


def notify_author_published(comment: Comment) -> None:
    author = comment.author
    if wants(author, Unsubscribe.Kind.PUBLISHED):
        send(
            author,
            Unsubscribe.Kind.PUBLISHED,
            f"Your comment on “{comment.post.title}” is published",
            f"A moderator published your comment:\n\n{excerpt(comment)}\n\n"
            f"{absolute(comment.get_absolute_url())}",
        )


def notify_reply(comment: Comment) -> None:
    """Tell the author of the comment replied to, when they opted in."""
    if comment.parent_id is None:
        return
    parent = Comment.objects.select_related("author").get(pk=comment.parent_id)
    target = parent.author
    if parent.level == 0 or target is None or target.pk == comment.author_id:
        return
    if wants(target, REPLIES):
        send(
            target,
            REPLIES,
            f"New reply to your comment on “{comment.post.title}”",
            f"{comment.display_name} replied to your comment:\n\n{excerpt(comment)}\n\n"
            f"{absolute(comment.get_absolute_url())}",
        )


@receiver(comment_added, dispatch_uid="moderation.comment_added")
def on_comment_added(sender, comment: Comment, **kwargs) -> None:
    if comment.is_imported:
        return
    if comment.is_public:
        notify_reply(comment)
    else:
        notify_moderators()


@receiver(comment_published, dispatch_uid="moderation.comment_published")
def on_comment_published(sender, comment: Comment, **kwargs) -> None:
    if comment.is_imported:
        return
    notify_author_published(comment)
    notify_reply(comment)
