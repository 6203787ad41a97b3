"""Watched threads' mail: a new public comment on a watched post schedules one digest per
watcher, at once or when WATCH_INTERVAL since that watcher's last mail ends, so a busy
thread costs each watcher at most one mail per interval. The task worker sends it
(`outbox`); a request never does. Every mail carries a one-click stop link (a signed
token naming the watch) and List-Unsubscribe headers (RFC 8058), through moderation's
mail helpers.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from forum.models import Comment
from forum.threads import comment_added, comment_published
from moderation.notifications import absolute, excerpt, send_with_stop_link

from .models import Watch

STOP_SALT = "watching.stop"
WATCH_INTERVAL = timedelta(hours=3)  # at most one mail per watched thread per 3 hours
# A digest scheduled this long ago and never run was lost (its task pruned, say).
LOST_AFTER = timedelta(hours=1)
LINES = 20


def stop_token(watch: Watch) -> str:
    """A signed, unguessable token naming one watch, for its mail's stop link."""
    return signing.dumps({"w": watch.pk, "u": watch.user_id}, salt=STOP_SALT)


def read_stop_token(token: str) -> tuple[int, int]:
    """(watch id, user id); raises signing.BadSignature when forged or mangled."""
    data = signing.loads(token, salt=STOP_SALT)
    return int(data["w"]), int(data["u"])


def schedule(post_id: int, author_id: int | None) -> None:
    """Ask for a digest for each watcher of the post but the comment's author: now, or
    when their interval ends. A conditional update claims each watch's one slot, so a
    burst of comments schedules one task per watcher."""
    now = timezone.now()
    free = Q(scheduled_for__isnull=True) | Q(scheduled_for__lt=now - LOST_AFTER)
    watches = Watch.objects.filter(free, post_id=post_id).exclude(user_id=author_id)
    for watch in watches.only("pk", "last_mailed_at"):
        due = max(now, watch.last_mailed_at + WATCH_INTERVAL) if watch.last_mailed_at else now
        claimed = Watch.objects.filter(free, pk=watch.pk).update(scheduled_for=due)
        if claimed:
            send_watch_digest.using(run_after=due).enqueue(watch.pk)


@task()
def send_watch_digest(watch_id: int) -> int:
    """Mail one watcher the post's comments published since their last mail; how many."""
    with transaction.atomic():
        watch = (
            Watch.objects.select_for_update()
            .select_related("user", "post")
            .filter(pk=watch_id)
            .first()
        )
        if watch is None:
            return 0  # stopped meanwhile
        watch.scheduled_for = None
        fresh = list(
            Comment.objects.public()
            .filter(post=watch.post, published_at__gt=watch.mailed_up_to)
            .exclude(author_id=watch.user_id)
            .order_by("published_at", "pk")
        )
        user = watch.user
        if fresh and user.is_active and user.email:
            _mail(watch, fresh)
            watch.mailed_up_to = fresh[-1].published_at
            watch.last_mailed_at = timezone.now()
        watch.save()
    return len(fresh)


def _mail(watch: Watch, fresh: list[Comment]) -> None:
    post = watch.post
    link = absolute(post.get_absolute_url())
    lines = [f"{len(fresh)} new comment(s) on “{post.title}”:", ""]
    for c in fresh[:LINES]:
        lines += [f"{c.path}. {c.display_name}: {excerpt(c)}", f"   {link}?comment={c.path}", ""]
    if len(fresh) > LINES:
        lines += [f"and {len(fresh) - LINES} more: {link}", ""]
    stop = absolute(reverse("watching:stop", args=[stop_token(watch)]))
    subject = f"New comments on “{post.title}”"
    body = "\n".join(lines).rstrip("\n")
    send_with_stop_link(watch.user.email, subject, body, stop, "watching this thread")


@receiver(comment_added, dispatch_uid="watching.comment_added")
def on_comment_added(sender, comment: Comment, **kwargs) -> None:
    if comment.is_public and not comment.is_imported:
        schedule(comment.post_id, comment.author_id)


@receiver(comment_published, dispatch_uid="watching.comment_published")
def on_comment_published(sender, comment: Comment, **kwargs) -> None:
    if not comment.is_imported:
        schedule(comment.post_id, comment.author_id)
