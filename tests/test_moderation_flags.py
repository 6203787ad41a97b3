"""Readers flag a published comment once; enough of them hide it until a moderator looks."""

import pytest
from django.test import override_settings
from django.urls import reverse

from forum.models import Comment, CommentStatus
from moderation.actions import flag, moderate
from moderation.models import Flag, LogAction, LogEntry
from moderation.views import ALREADY_FLAGGED, FLAGGED

from .factories import PostFactory, UserFactory, comment, moderator
from .trees import paths

pytestmark = pytest.mark.django_db


def flag_url(c: Comment) -> str:
    return reverse("moderation:flag", args=[c.pk])


def test_a_logged_in_reader_flags_a_comment_once(client):
    target = comment(PostFactory())
    client.force_login(UserFactory())
    page = client.post(flag_url(target), {"reason": "abusive"}, follow=True)
    assert FLAGGED in page.content.decode()
    assert page.redirect_chain[-1][0].endswith(f"#{target.anchor}")
    again = client.post(flag_url(target), {"reason": "spam"}, follow=True)
    assert ALREADY_FLAGGED in again.content.decode()
    assert Flag.objects.get(comment=target).reason == "abusive"


def test_anonymous_visitors_are_sent_to_log_in(client):
    target = comment(PostFactory())
    page = client.post(flag_url(target), {"reason": "spam"})
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    assert not Flag.objects.exists()


def test_only_published_comments_can_be_flagged_with_a_known_reason(client):
    client.force_login(UserFactory())
    held = comment(PostFactory(), status=CommentStatus.PENDING)
    assert client.post(flag_url(held), {"reason": "spam"}).status_code == 404
    target = comment(PostFactory())
    assert client.post(flag_url(target), {"reason": "boring"}).status_code == 400
    assert client.get(flag_url(target)).status_code == 405
    assert not Flag.objects.exists()


def test_flagging_needs_a_csrf_token():
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(UserFactory())
    target = comment(PostFactory())
    assert csrf_client.post(flag_url(target), {"reason": "spam"}).status_code == 403


def test_authors_cannot_flag_their_own_comment(client):
    author = UserFactory()
    target = comment(PostFactory(), author=author)
    client.force_login(author)
    client.post(flag_url(target), {"reason": "spam"})
    assert not Flag.objects.exists()


def test_three_distinct_flaggers_hide_the_comment_keeping_its_number():
    post = PostFactory()
    target = comment(post, body="Nasty")
    reply = comment(post, target)
    comment(post)
    for _ in range(2):
        flag(target, UserFactory(), "abusive")
    assert Comment.objects.get(pk=target.pk).is_public
    flag(target, UserFactory(), "spam")
    hidden = Comment.objects.get(pk=target.pk)
    assert (hidden.status, hidden.path) == (CommentStatus.PENDING, "1")
    assert hidden.placeholder_text == "This comment is hidden while a moderator reviews it."
    assert paths(post) == ["1", "1.1", "2"]
    assert Comment.objects.get(pk=reply.pk).is_public
    entry = LogEntry.objects.get(comment=target)
    assert (entry.action, entry.moderator, entry.reason) == (
        LogAction.AUTO_HIDE,
        None,
        "3 readers flagged it",
    )


@override_settings(FORUM_FLAGS_TO_HIDE=1)
def test_the_threshold_follows_the_setting():
    target = comment(PostFactory())
    flag(target, UserFactory(), "other")
    assert Comment.objects.get(pk=target.pk).status == CommentStatus.PENDING


def test_a_moderator_who_keeps_a_hidden_comment_publishes_it_and_clears_the_flags():
    post = PostFactory()
    target = comment(post)
    for _ in range(3):
        flag(target, UserFactory(), "spam")
    moderate(Comment.objects.get(pk=target.pk), LogAction.PUBLISH, moderator())
    kept = Comment.objects.get(pk=target.pk)
    assert (kept.status, kept.path) == (CommentStatus.PUBLISHED, "1")
    assert not Flag.objects.filter(resolved=False).exists()
    flag(target, UserFactory(), "spam")
    assert Comment.objects.get(pk=target.pk).is_public, "old flags no longer count"


def test_keeping_a_flagged_published_comment_dismisses_its_flags():
    target = comment(PostFactory())
    flag(target, UserFactory(), "off_topic")
    entry = moderate(target, LogAction.PUBLISH, moderator())
    assert entry.action == LogAction.DISMISS
    assert not Flag.objects.filter(resolved=False).exists()
    assert moderate(target, LogAction.PUBLISH, moderator()) is None


def test_the_post_page_offers_the_flag_form_to_logged_in_readers(client):
    post = PostFactory()
    target = comment(post)
    assert flag_url(target) not in client.get(post.get_absolute_url()).content.decode()
    client.force_login(UserFactory())
    html = client.get(post.get_absolute_url()).content.decode()
    assert flag_url(target) in html
