"""A logged-in reader watching a post: at most one mail per WATCH_INTERVAL listing the
post's comments published since the last one (issue 19)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Watch(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("forum.Post", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Comments published after this are new to the watcher: the watch's start, then the
    # newest comment of the last mail.
    mailed_up_to = models.DateTimeField(default=timezone.now)
    last_mailed_at = models.DateTimeField(null=True, blank=True)
    # The scheduled digest task's time; None when none is scheduled.
    scheduled_for = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="watch_one_per_reader_and_post")
        ]

    def __str__(self) -> str:
        return f"{self.user} watches {self.post}"
