"""Moderators' decisions a person can trust: the author's word stands, held comments keep
the reasons they were held for, and a rejection or removal tells its author why."""

import pytest
from django.urls import reverse

from forum.models import Comment, CommentStatus, RemovedBy
from forum.permissions import AUTHOR_REMOVED, can_restore
from forum.threads import set_status
from moderation.actions import moderate
from moderation.models import LogAction, LogEntry

from .factories import PostFactory, UserFactory, comment, moderator

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:forum_comment_changelist")
PENDING, PUBLISHED, REMOVED = (
    CommentStatus.PENDING,
    CommentStatus.PUBLISHED,
    CommentStatus.REMOVED,
)


def act(client, action, comments, **fields):
    data = {"action": action, "_selected_action": [c.pk for c in comments], "index": 0}
    return client.post(QUEUE + "?status=all", data | fields, follow=True)


def test_a_comment_its_author_removed_cannot_be_restored_by_a_moderator(client):
    mod = moderator()
    author = UserFactory()
    post = PostFactory()
    theirs = comment(post, body="I take it back", author=author)
    set_status(theirs, REMOVED, RemovedBy.AUTHOR)
    ours = comment(post, body="Taken down by a moderator", author=author)
    moderate(ours, LogAction.REMOVE, mod)

    assert not can_restore(mod, Comment.objects.get(pk=theirs.pk))
    assert can_restore(mod, Comment.objects.get(pk=ours.pk))
    assert moderate(theirs, LogAction.RESTORE, mod) is None

    client.force_login(mod)
    said = [str(m) for m in act(client, "restore", [theirs, ours]).context["messages"]]
    assert any(AUTHOR_REMOVED in m for m in said)
    assert "Restored 1 comment(s)." in said
    assert Comment.objects.get(pk=theirs.pk).status == REMOVED
    assert Comment.objects.get(pk=ours.pk).status == PUBLISHED
    assert not LogEntry.objects.filter(comment=theirs, action=LogAction.RESTORE).exists()


def test_the_blogs_own_removals_stay_removed_too():
    mod = moderator()
    old = comment(PostFactory(), body="Removed on Blogger")
    set_status(old, REMOVED, RemovedBy.BLOG)
    assert not can_restore(mod, old)
    assert moderate(old, LogAction.RESTORE, mod) is None
