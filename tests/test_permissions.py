"""One authority says who may do what (forum.permissions); the places that used to
disagree now ask it and agree."""

import pytest
from django.urls import reverse

from forum.models import Comment, CommentStatus, Post
from forum.permissions import (
    can_flag,
    can_moderate,
    can_remove,
    can_reply,
    can_see_author,
    moderators,
)
from forum.threads import set_status
from moderation.actions import hold
from moderation.models import Flag
from moderation.rules import decide

from .factories import PostFactory, UserFactory, comment, moderator, verified_user

pytestmark = pytest.mark.django_db

QUEUE = reverse("admin:forum_comment_changelist")
PUBLISHED, PENDING = CommentStatus.PUBLISHED, CommentStatus.PENDING


def test_a_moderator_is_a_member_of_the_moderators_or_a_superuser_and_nobody_else():
    staff = UserFactory(is_staff=True)
    assert can_moderate(moderator())
    assert can_moderate(UserFactory(is_superuser=True))
    assert not can_moderate(staff)
    assert not can_moderate(UserFactory())
    assert not can_moderate(moderator(is_active=False))


def test_the_queue_mail_goes_to_exactly_the_accounts_that_may_moderate():
    member, superuser = moderator(), UserFactory(is_superuser=True)
    UserFactory(is_staff=True)
    moderator(is_active=False)
    moderator(email="")
    assert set(moderators()) == {member, superuser}


def test_a_staff_reader_outside_the_moderators_sees_anonymous_and_nothing_more(client):
    post = PostFactory()
    kim = UserFactory(username="kim", email="kim@example.org", display_name="Kim")
    comment(post, author=kim, display_name="Anonymous", body="Said quietly")
    client.force_login(UserFactory(is_staff=True))
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Said quietly" in page and "Anonymous" in page
    assert "kim@example.org" not in page and "posted by" not in page
    assert not can_see_author(UserFactory(is_staff=True), Comment.objects.published().get())


def test_a_staff_readers_comment_waits_for_a_moderator_like_anyones(client):
    post = PostFactory()
    staff = verified_user(is_staff=True)
    client.force_login(staff)
    client.post(reverse("forum:comment_create", args=[post.pk]), {"body": "Hi", "anonymous": "on"})
    assert Comment.objects.comments().get(author=staff).status == PENDING


def test_staff_status_alone_does_not_excuse_an_unverified_address(client):
    post = PostFactory()
    client.force_login(UserFactory(is_staff=True))
    response = client.post(
        reverse("forum:comment_create", args=[post.pk]), {"body": "Hi", "anonymous": "on"}
    )
    assert response.status_code == 403
    assert not Comment.objects.comments().exists()


def test_the_queue_names_the_spam_rule_for_a_past_spammers_comment(client):
    author = UserFactory()
    post = PostFactory()
    for i in range(3):
        comment(post, author=author, body=f"Fine {i}")
    set_status(comment(post, author=author, status=PENDING), CommentStatus.SPAM)
    again = comment(post, author=author, body="Back again", status=PENDING)
    hold(again, decide(author, post, again.body).reasons)  # as the posting view does
    client.force_login(moderator())
    page = client.get(QUEUE).content.decode()
    assert "a comment of this account was marked as spam" in page
    assert "new account" not in page


def test_a_comment_of_an_unpublished_post_cannot_be_flagged(client):
    post = PostFactory()
    target = comment(post)
    Post.objects.filter(pk=post.pk).update(is_published=False)
    target = Comment.objects.select_related("post").get(pk=target.pk)
    reader = UserFactory()
    assert not can_flag(reader, target)
    client.force_login(reader)
    response = client.post(reverse("moderation:flag", args=[target.pk]), {"reason": "spam"})
    assert response.status_code == 404
    assert not Flag.objects.exists()


def test_readers_may_reply_to_published_comments_above_the_depth_limit_only():
    post = PostFactory()
    top = comment(post)
    reply = comment(post, top)
    deepest = comment(post, comment(post, reply))
    held = comment(post, status=PENDING)
    reader = UserFactory()
    assert can_reply(reader, top) and can_reply(reader, reply)
    assert not can_reply(reader, deepest) and not can_reply(reader, held)
    post.comments_open = False
    post.save()
    assert not can_reply(reader, Comment.objects.select_related("post").get(pk=top.pk))


def test_authors_may_remove_their_own_comment_until_a_moderator_has():
    post = PostFactory()
    author = UserFactory()
    mine = comment(post, author=author)
    assert can_remove(author, mine) and not can_remove(UserFactory(), mine)
    set_status(mine, CommentStatus.REJECTED)
    assert not can_remove(author, mine)
