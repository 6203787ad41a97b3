"""The forum's user: an account that can speak without showing its name."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import get_random_string

HANDLE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def new_handle() -> str:
    """A pseudonym moderators know an account by ("member-7kq2m9"): random, so it says
    nothing about the name or address and cannot be turned back into them."""
    return "member-" + get_random_string(6, HANDLE_ALPHABET)


class User(AbstractUser):
    """A reader with an account.

    Moderators always see who wrote a comment; the public sees `display_name` or, when the
    author ticks "post as Anonymous", only "Anonymous" (what most probation staff want).
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
