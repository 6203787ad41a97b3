"""Moderation in templates: the admin index's "N waiting" banner."""

from django import template
from django.db.models import Q

from forum.models import Comment, CommentStatus

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
