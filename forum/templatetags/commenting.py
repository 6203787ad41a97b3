"""Template tags for the comment form partial that the post page includes once per page."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from forum import permissions
from forum.forms import CommentForm
from forum.models import Post

register = template.Library()


@dataclass(frozen=True)
class Refusal:
    """Why the reader cannot comment, and whether re-sending the verification mail helps."""

    message: str = ""

    def __bool__(self) -> bool:
        return bool(self.message)

    @property
    def verify_email(self) -> bool:
        return self.message == permissions.UNVERIFIED


@register.simple_tag(takes_context=True)
def comment_refusal(context: template.Context, post: Post) -> Refusal:
    """At most one query per page (the verified-address check), never one per comment."""
    user = context["user"]
    if not user.is_authenticated:
        return Refusal()
    return Refusal(permissions.comment_refusal(user, post))


@register.simple_tag(takes_context=True)
def new_comment_form(context: template.Context, post: Post) -> CommentForm:
    """An empty comment form, its 'Post as Anonymous' box set to the reader's default."""
    return CommentForm(post=post, user=context["user"])
