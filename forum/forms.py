"""The comment form: plain text, a length limit, a honeypot, and a reply target checked
against the thread it claims to belong to."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator

from accounts.names import invisible

from .models import ANONYMOUS, Comment, Post
from .permissions import NOT_REPLYABLE, ThreadPermissions

if TYPE_CHECKING:
    from accounts.models import User

EMPTY = "Your comment is empty: write something before posting."
TOO_LONG = (
    "Your comment is %(show_value)d characters long; the limit is %(limit_value)d. "
    "Please shorten it."
)
NO_NAME = (
    "You have no display name yet: tick 'Post as Anonymous' or set a name on your profile page."
)
BOT = "Your comment could not be posted."


class CommentForm(forms.Form):
    """A new comment on `post`, or a reply when `parent` is given."""

    body = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 6}),
        strip=True,
        error_messages={"required": EMPTY, "max_length": TOO_LONG},
        help_text="Plain text. Leave a blank line between paragraphs; links are made clickable.",
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    anonymous = forms.BooleanField(
        label="Post as Anonymous",
        required=False,
        help_text="Readers see “Anonymous”; moderators see a pseudonym, and your name only "
        "if one of them records a reason to look (see the privacy page).",
    )
    # Honeypot: hidden from people by CSS and aria-hidden; bots fill in every field.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, post: Post, user: User, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("anonymous", user.comment_anonymously)
        kwargs.setdefault("auto_id", "comment-%s")
        super().__init__(*args, **kwargs)
        self.post, self.user = post, user
        # Checked on the server only (no maxlength attribute): a browser would silently
        # truncate a pasted text, the server says how long it is.
        self.fields["body"].validators.append(MaxLengthValidator(settings.FORUM_COMMENT_MAX_LENGTH))
        self.parent_comment: Comment | None = None

    def clean_body(self) -> str:
        """Private-use characters go (search marks its matches with two of them, so typed
        ones would become highlighting); a body of only invisible characters is empty."""
        body = "".join(c for c in self.cleaned_data["body"] if unicodedata.category(c) != "Co")
        if all(c.isspace() or unicodedata.combining(c) or _blank(c) for c in body):
            raise forms.ValidationError(EMPTY)
        return body.strip()

    def clean_parent(self) -> int | None:
        """A reply must target a comment of this post that is open for replies."""
        pk = self.cleaned_data["parent"]
        if pk is None:
            return None
        parent = Comment.objects.comments().filter(pk=pk, post=self.post).first()
        if parent is None:
            raise forms.ValidationError(NOT_REPLYABLE)
        refusal = ThreadPermissions(self.user, self.post).reply_refusal(parent.status, parent.level)
        if refusal:
            raise forms.ValidationError(refusal)
        self.parent_comment = parent
        return pk

    def clean(self) -> dict:
        data = super().clean()
        if data.get("website"):
            # A form-wide error: the field itself is hidden from people.
            raise forms.ValidationError(BOT)
        if not data.get("anonymous") and not self.user.display_name.strip():
            self.add_error("anonymous", NO_NAME)
        return data

    @property
    def display_name(self) -> str:
        """What readers will see as the author."""
        return ANONYMOUS if self.cleaned_data["anonymous"] else self.user.display_name.strip()


def _blank(char: str) -> bool:
    """Shows nothing; a character this Python's Unicode does not know yet (a new emoji)
    is taken as visible."""
    return invisible(char) and unicodedata.category(char) != "Cn"
