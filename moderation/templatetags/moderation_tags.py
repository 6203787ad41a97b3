"""Moderation in templates: the admin index's "N waiting" banner, the flag form's reasons."""

from django import template
from django.db.models import Q

from forum.models import Comment, CommentStatus
from moderation.models import FlagReason

register = template.Library()


@register.simple_tag
def moderation_waiting() -> int:
    """Comments in the queue: pending, or published with open reader flags."""
    return (
        Comment.objects.comments()
        .filter(Q(status=CommentStatus.PENDING) | Q(flags__resolved=False))
        .distinct()
        .count()
    )


@register.simple_tag
def flag_reasons() -> list[tuple[str, str]]:
    """The flag form's choices, from the model (no query)."""
    return FlagReason.choices
