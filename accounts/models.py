"""The forum's user: an account that can speak without showing its name."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import get_random_string

from .names import skeletons

HANDLE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def new_handle() -> str:
    """A pseudonym moderators know an account by ("member-7kq2m9"): random, so it says
    nothing about the name or address and cannot be turned back into them."""
    return "member-" + get_random_string(6, HANDLE_ALPHABET)


class User(AbstractUser):
    """A reader with an account.

    The public sees `display_name` or, when the author ticks "post as Anonymous", only
    "Anonymous" (what most probation staff want); moderators see an anonymous comment's
    author as `handle`, and the name and address only after a logged reveal.
    The username is derived from the email address and is never shown publicly.
    """

    handle = models.CharField(
        max_length=16,
        unique=True,
        default=new_handle,
        editable=False,
        help_text="What moderators see instead of the name and address until they reveal them.",
    )
    display_name = models.CharField(
        max_length=60,
        blank=True,
        help_text="Shown beside your comments unless you post anonymously.",
    )
    comment_anonymously = models.BooleanField(
        default=True, help_text="Remembered as the default of the 'Post as Anonymous' box."
    )
    # TR39 skeletons of display_name (accounts.names): a new name is compared with these,
    # so a look-alike of another reader's name is refused in one indexed query.
    name_skeleton = models.CharField(max_length=240, blank=True, db_index=True, editable=False)
    name_skeleton_folded = models.CharField(
        max_length=240, blank=True, db_index=True, editable=False
    )
    is_suspended = models.BooleanField(
        default=False, help_text="A suspended user can read and log in but cannot post."
    )
    suspended_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a suspension ends by itself (empty: until a moderator lifts it).",
    )
    notify_replies = models.BooleanField(
        default=False, help_text="Email me when someone replies to one of my comments."
    )

    def __str__(self) -> str:
        """The handle: wherever the admin names an account (flags, the log, watches) it
        shows the pseudonym, never the username, which allauth derives from the address."""
        return self.handle

    def save(self, *args, **kwargs) -> None:
        """Keep the name's skeletons in step with the name, whoever changes it."""
        raw, folded = skeletons(self.display_name) if self.display_name else ("", "")
        self.name_skeleton, self.name_skeleton_folded = raw[:240], folded[:240]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "display_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_skeleton", "name_skeleton_folded"}
        super().save(*args, **kwargs)
