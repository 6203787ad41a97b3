"""Mail about users' comments, queued after the transaction commits.

Listens to forum.threads' after-commit signals, so every path that adds or publishes a
comment notifies. Mail goes through the outbox (the task worker sends it), so a slow or
failing mail server never delays or loses a comment. Imported comments (the blog's
archive) never cause mail. Every mail carries a one-click unsubscribe link and
List-Unsubscribe headers (RFC 8058).

Moderators get one digest of the comments newly waiting, at most every DIGEST_INTERVAL:
a held comment schedules the digest task (at once, or when the interval since the last
one ends), and the digest mentions each waiting comment once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django_tasks import task

from forum.models import Comment
from forum.permissions import moderators
from forum.threads import comment_added, comment_published

from .models import DigestedComment, LogAction, LogEntry, QueueDigest, Unsubscribe

if TYPE_CHECKING:
    from accounts.models import User

UNSUBSCRIBE_SALT = "moderation.unsubscribe"
REPLIES = "replies"
KINDS = {REPLIES, *Unsubscribe.Kind.values}
DIGEST_INTERVAL = timedelta(minutes=10)  # at most one queue mail per 10 minutes
# A digest scheduled this long ago and never run was lost (its task pruned, say).
DIGEST_LOST_AFTER = timedelta(hours=1)
DIGEST_LINES = 10
# Decisions the author is told about, with the reason given (spam is not answered).
TOLD = {LogAction.REJECT: "rejected", LogAction.REMOVE: "removed"}


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


def send(user: User, kind: str, subject: str, body: str) -> None:
    """Queue one mail with its unsubscribe link."""
    url = absolute(reverse("moderation:unsubscribe", args=[unsubscribe_token(user, kind)]))
    send_with_stop_link(user.email, subject, body, url, "these emails")


def send_with_stop_link(address: str, subject: str, body: str, url: str, what: str) -> None:
    """Queue one mail whose footer link, and List-Unsubscribe headers (RFC 8058
    one-click), stop `what` (the outbox sends it, never the request)."""
    EmailMessage(
        subject=subject,
        body=f"{body}\n\n--\nTo stop {what}, open this link: {url}\n",
        to=[address],
        headers={
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    ).send()


def excerpt(comment: Comment) -> str:
    return Truncator(" ".join(comment.body.split())).chars(200)


def schedule_queue_digest() -> None:
    """Ask for the moderators' digest: now, or once DIGEST_INTERVAL has passed since the
    last one. At most one is scheduled at a time (a conditional update claims the slot),
    so a burst of held comments costs one digest."""
    now = timezone.now()
    with transaction.atomic():
        digest, _ = QueueDigest.objects.get_or_create(pk=1)
        due = max(now, digest.last_sent_at + DIGEST_INTERVAL) if digest.last_sent_at else now
        free = Q(scheduled_for__isnull=True) | Q(scheduled_for__lt=now - DIGEST_LOST_AFTER)
        if QueueDigest.objects.filter(free, pk=1).update(scheduled_for=due):
            send_queue_digest.using(run_after=due).enqueue()


@task()
def send_queue_digest() -> int:
    """Mail the moderators the comments that began waiting since the last digest; how
    many. Each waiting comment is mentioned once (DigestedComment), whenever it arrived."""
    with transaction.atomic():
        digest, _ = QueueDigest.objects.select_for_update().get_or_create(pk=1)
        digest.scheduled_for = None
        waiting = Comment.objects.pending()
        # Comments that left the queue may come back (a restored comment flagged again).
        DigestedComment.objects.exclude(comment__in=waiting).delete()
        fresh = list(
            waiting.exclude(pk__in=DigestedComment.objects.values("comment_id"))
            .select_related("post")
            .order_by("created_at", "pk")
        )
        if fresh:
            _mail_digest(fresh, waiting.count())
            DigestedComment.objects.bulk_create([DigestedComment(comment=c) for c in fresh])
            digest.last_sent_at = timezone.now()
        digest.save()
    return len(fresh)


def _mail_digest(fresh: list[Comment], waiting: int) -> None:
    lines = [f"{len(fresh)} new comment(s) are waiting for moderation ({waiting} in all):", ""]
    lines += [f"- {c.post.title}: {excerpt(c)}" for c in fresh[:DIGEST_LINES]]
    if len(fresh) > DIGEST_LINES:
        lines.append(f"- and {len(fresh) - DIGEST_LINES} more")
    lines += ["", f"Open the queue: {absolute(reverse('admin:forum_comment_changelist'))}"]
    subject = f"{len(fresh)} comment(s) awaiting moderation"
    for user in moderators():
        if wants(user, Unsubscribe.Kind.QUEUE):
            send(user, Unsubscribe.Kind.QUEUE, subject, "\n".join(lines))


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


def decision_reasons() -> Subquery:
    """Per comment (as a subquery, so a list stays one query): the reason given with the
    last rejection or removal, which its author may read."""
    return Subquery(
        LogEntry.objects.filter(comment=OuterRef("pk"), action__in=[*TOLD])
        .order_by("-created_at", "-id")
        .values("reason")[:1]
    )


def notify_author_decided(comment: Comment, verb: str, reason: str) -> None:
    """Tell the author a moderator rejected or removed their comment, and why."""
    author = comment.author
    if comment.is_imported or not wants(author, Unsubscribe.Kind.DECIDED):
        return
    why = f"The reason given: {reason}" if reason else "No reason was given."
    send(
        author,
        Unsubscribe.Kind.DECIDED,
        f"Your comment on “{comment.post.title}” was {verb}",
        f"A moderator {verb} your comment:\n\n{excerpt(comment)}\n\n{why}\n\n"
        f"Your comments and what happened to them: {absolute(reverse('accounts:profile'))}",
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
        schedule_queue_digest()


@receiver(comment_published, dispatch_uid="moderation.comment_published")
def on_comment_published(sender, comment: Comment, **kwargs) -> None:
    if comment.is_imported:
        return
    notify_author_published(comment)
    notify_reply(comment)
