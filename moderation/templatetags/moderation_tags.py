"""Moderation in templates: the admin index's "N waiting" banner."""

from django import template

from moderation.queue import waiting

register = template.Library()


@register.simple_tag
def moderation_waiting() -> int:
    """Comments in the queue the banner links to: pending, or flagged and not yet seen to."""
    return waiting().count()
