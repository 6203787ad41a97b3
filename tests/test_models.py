"""The replica's building blocks: posts, their hidden roots, and the visibility vocabulary."""

import datetime

import pytest
from django.db import IntegrityError

from forum.models import Comment, CommentStatus, Post, RemovedBy
from forum.threads import add_comment, publish, set_status

from .factories import PostFactory, UserFactory, comment
from .trees import paths, tree_shape

pytestmark = pytest.mark.django_db


def test_a_post_owns_one_hidden_root_whose_tree_is_the_post():
    post = PostFactory()
    root = Comment.objects.get(post=post, level=0)
    assert root.tree_id == post.pk
    assert not Comment.objects.comments().filter(post=post).exists()


def test_slugs_follow_the_title_and_clash_within_a_month_gets_a_suffix():
    first = PostFactory(date=datetime.date(2015, 2, 18), title="Pick of the Week 2")
    second = PostFactory(date=datetime.date(2015, 2, 19), title="Pick of the Week 2")
    next_month = PostFactory(date=datetime.date(2015, 3, 1), title="Pick of the Week 2")
    assert (first.slug, second.slug, next_month.slug) == (
        "pick-of-the-week-2",
        "pick-of-the-week-2-2",
        "pick-of-the-week-2",
    )
    assert first.get_absolute_url() == "/2015/02/pick-of-the-week-2.html"


def test_a_post_is_identified_by_date_and_title():
    PostFactory(date=datetime.date(2015, 2, 18), title="Same")
    with pytest.raises(IntegrityError):
        Post.objects.create(date=datetime.date(2015, 2, 18), title="Same", slug="other")


def test_comments_are_numbered_as_the_blog_numbered_them():
    post = PostFactory()
    first = comment(post)
    comment(post, first)
    comment(post, first)
    comment(post)
    assert paths(post) == ["1", "1.1", "1.2", "2"]
    assert first.anchor == "c1"
    assert Comment.objects.get(post=post, path="1.2").anchor == "c1-2"


def test_a_pending_comment_takes_the_next_number_when_published_and_moves_after_its_siblings():
    post = PostFactory()
    early = comment(post, status=CommentStatus.PENDING)
    comment(post)
    assert paths(post) == ["1"]
    publish(early)
    assert paths(post) == ["1", "2"]
    assert Comment.objects.get(pk=early.pk).body == "A comment."
    assert "- published 0 1 6\n1 published 1 2 3\n2 published 1 4 5" == tree_shape(post)


def test_a_rejected_pending_comment_leaves_no_hole_in_the_numbering():
    post = PostFactory()
    spam = comment(post, status=CommentStatus.PENDING)
    later = comment(post, status=CommentStatus.PENDING)
    set_status(spam, CommentStatus.SPAM)
    publish(later)
    assert paths(post) == ["1"]


def test_removal_keeps_the_placeholder_its_number_and_its_replies():
    post = PostFactory()
    parent = comment(post)
    comment(post, parent)
    set_status(parent, CommentStatus.REMOVED, RemovedBy.AUTHOR)
    assert paths(post) == ["1", "1.1"]
    assert not Comment.objects.published().filter(pk=parent.pk).exists()
    assert Comment.objects.visible().filter(pk=parent.pk).exists()


def test_pending_comments_are_shown_to_their_author_only():
    post = PostFactory()
    author, stranger = UserFactory(), UserFactory()
    mine = add_comment(post, None, body="mine", author=author)
    assert mine in Comment.objects.thread(post, author)
    assert mine not in Comment.objects.thread(post, stranger)
    assert mine not in Comment.objects.thread(post, None)
    assert mine not in Comment.objects.visible()


def test_comment_counts_count_published_comments_only():
    post = PostFactory()
    parent = comment(post)
    comment(post, parent)
    comment(post, status=CommentStatus.PENDING)
    set_status(comment(post), CommentStatus.REMOVED, RemovedBy.MODERATOR)
    assert Post.objects.with_comment_count().get(pk=post.pk).comment_count == 2


def test_comment_text_is_escaped_and_links_are_nofollow():
    post = PostFactory()
    made = comment(post, body="<script>alert(1)</script>\n\nsee https://example.org/x")
    assert "<script>" not in made.body_html
    assert "&lt;script&gt;" in made.body_html
    assert 'rel="nofollow ugc noopener"' in made.body_html
