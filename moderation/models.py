"""What moderators decide with and leave behind: the editable rules, reader flags, a log.

Comments themselves live in `forum`; moderation only ever changes their status through
`forum.threads`, and records each change here.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.dispatch import receiver
from django.utils import timezone

from config.cache import cache_reconnected
from forum.models import Comment

RULES_CACHE_KEY = "moderation:rules"


@receiver(cache_reconnected, dispatch_uid="moderation-rules-reconnected")
def _forget_cached_rules(**kwargs) -> None:
    """Rules saved while the cache was unreachable could not delete the copy cached before."""
    cache.delete(RULES_CACHE_KEY)


class Mode(models.TextChoices):
    ALL = "all", "Moderate every comment"
    FIRST_N = "first_n", "Moderate each account's first comments"
    NONE = "none", "Publish directly (links, hold words and old posts still hold)"


def _default_first_n() -> int:
    return settings.FORUM_AUTO_APPROVE_AFTER


class ModerationRules(models.Model):
    """The one row of rules moderators edit in the admin (a singleton, pk=1)."""

    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.FIRST_N)
    first_n = models.PositiveSmallIntegerField(
        default=_default_first_n,
        help_text="In 'first comments' mode: approved comments after which an account "
        "publishes directly.",
    )
    old_post_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Hold comments on posts older than this many days (empty: never).",
    )
    max_links = models.PositiveSmallIntegerField(
        default=2, help_text="A comment with this many links or more waits for a moderator."
    )
    hold_words = models.TextField(
        blank=True, help_text="One word or phrase a line; whole words, any case. Holds the comment."
    )
    block_words = models.TextField(
        blank=True,
        help_text="One word or phrase a line; whole words, any case. Refuses the comment.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "moderation rules"

    def __str__(self) -> str:
        return "Moderation rules"

    def save(self, *args, **kwargs) -> None:
        self.pk = 1
        super().save(*args, **kwargs)
        cache.delete(RULES_CACHE_KEY)

    @classmethod
    def load(cls) -> ModerationRules:
        """The rules, from the cache when possible: `decide()` runs on every comment."""
        rules = cache.get(RULES_CACHE_KEY)
        if rules is None:
            rules, _ = cls.objects.get_or_create(pk=1)
            cache.set(RULES_CACHE_KEY, rules, 300)
        return rules


class WatchedUser(models.Model):
    """An account whose every comment waits for a moderator, whatever its history."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_watch"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return str(self.user)


class Hold(models.Model):
    """Why a comment was held, in the words of the rules that held it, stored when they
    applied: the queue shows these whatever the rules say later."""

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="hold")
    reasons = models.JSONField(default=list)
    held_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return "; ".join(self.reasons)


class LogAction(models.TextChoices):
    PUBLISH = "publish", "Published"
    REJECT = "reject", "Rejected"
    SPAM = "spam", "Marked as spam"
    REMOVE = "remove", "Removed"
    RESTORE = "restore", "Restored"
    AUTO_HIDE = "auto_hide", "Hidden after reader flags"
    DISMISS = "dismiss", "Flags dismissed"
    # About a person or a post rather than one comment's status:
    REVEAL = "reveal", "Identity revealed"
    SUSPEND = "suspend", "Suspended"
    LIFT = "lift", "Suspension lifted"
    WATCH = "watch", "Watched (every comment held)"
    UNWATCH = "unwatch", "No longer watched"
    RESTORE_TRUST = "trust", "Trust restored"
    NOTE = "note", "Note"
    CLOSE = "close", "Comments closed"
    REOPEN = "reopen", "Comments reopened"
    SLOW_MODE = "slow", "Slow mode set"


class LogEntry(models.Model):
    """One moderation decision: who, when, and why, on one comment (from -> to status),
    one person (`subject`: suspensions, watches, reveals) or one post (closing, slow
    mode)."""

    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="moderation_log"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_log_about",
    )
    post = models.ForeignKey(
        "forum.Post", null=True, blank=True, on_delete=models.CASCADE, related_name="moderation_log"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=12, choices=LogAction.choices)
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "moderation log entry"
        verbose_name_plural = "moderation log"
        ordering = ["-created_at", "-id"]
        permissions = [
            ("moderate_comment", "Can publish, reject, remove and restore comments"),
            ("suspend_user", "Can suspend users and hold all their comments"),
        ]

    def __str__(self) -> str:
        if self.from_status or self.to_status:
            return f"{self.get_action_display()}: {self.from_status} → {self.to_status}"
        return self.get_action_display()


class CannedReason(models.Model):
    """A reason moderators pick when they reject or remove a comment (they may add their
    own words): the author reads it on their profile and in the mail, the log keeps it."""

    text = models.CharField(max_length=200, unique=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")

    class Meta:
        ordering = ["position", "text"]

    def __str__(self) -> str:
        return self.text


class FlagReason(models.TextChoices):
    ABUSIVE = "abusive", "Abusive"
    SPAM = "spam", "Spam"
    OFF_TOPIC = "off_topic", "Off-topic"
    OTHER = "other", "Other"


class Flag(models.Model):
    """A reader's report of a published comment; one per reader and comment.

    Open flags put the comment in the queue; any moderator decision on it resolves them."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=10, choices=FlagReason.choices)
    resolved = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="flag_once_per_reader")
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} flag on {self.comment_id}"


class Unsubscribe(models.Model):
    """A kind of notification mail a user no longer wants (one-click unsubscribe).

    Reply mails are opt-in on the account itself (`User.notify_replies`), so unsubscribing
    from them clears that flag instead of adding a row here."""

    class Kind(models.TextChoices):
        PUBLISHED = "published", "My comment was published"
        QUEUE = "queue", "Comments waiting for moderation"
        DECIDED = "decided", "A moderator rejected or removed my comment"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="unsubscribe_once")]

    def __str__(self) -> str:
        return f"{self.user} ⟂ {self.kind}"


class QueueDigest(models.Model):
    """When the moderators' queue mail was last sent and when the next one is due (one
    row, pk=1): in the database, so every app server and worker shares it."""

    last_sent_at = models.DateTimeField(null=True, blank=True)
    # The scheduled digest task's time; None when none is scheduled.
    scheduled_for = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "queue digest"

    def __str__(self) -> str:
        return "Queue digest"


class DigestedComment(models.Model):
    """A waiting comment the moderators have been mailed about: each one once."""

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="+")
    mailed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.comment_id} mailed {self.mailed_at:%Y-%m-%d %H:%M}"
