"""Fifty readers press "Post comment" on one post at the same moment, through the real
view: every comment lands, the numbering has no duplicate or hole, the tree is valid.

SQLite serialises writers and would hide a race; this runs in the PostgreSQL pass.
"""

from functools import partial
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from forum.models import Comment
from moderation.groups import moderators_group

from .factories import PostFactory, comment
from .together import logged_in, run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

READERS = 50


def post_all_at_once(clients: list[Client], url: str, data_for) -> list:
    """POST from every client in its own thread, released together: the status codes, or
    the errors raised."""
    results: list = [None] * len(clients)

    def post(index: int) -> None:
        results[index] = clients[index].post(url, data_for(index)).status_code

    return run_together([partial(post, i) for i in range(len(clients))]) or results


def logged_in_clients(n: int) -> list[Client]:
    """One logged-in browser per moderator: moderators publish directly, so every comment
    is numbered. Created in bulk without password hashing, which would dominate the test."""
    User = get_user_model()
    readers = User.objects.bulk_create(
        User(username=f"staff{i}", email=f"staff{i}@example.org", is_staff=True, password="!")
        for i in range(n)
    )
    moderators_group().user_set.add(*readers)
    return logged_in(readers)


def assert_trees_clean() -> None:
    """check_comment_trees raises CommandError on any broken tree."""
    out = StringIO()
    call_command("check_comment_trees", stdout=out, stderr=out)
    assert out.getvalue().endswith("comment trees checked: all valid.\n")


def test_fifty_simultaneous_comments_on_one_post_all_land_numbered_without_duplicates():
    post = PostFactory()
    comment(post, body="Already here")
    clients = logged_in_clients(READERS)

    results = post_all_at_once(
        clients,
        reverse("forum:comment_create", args=[post.pk]),
        lambda i: {"body": f"Simultaneous comment {i}", "anonymous": "on"},
    )

    assert results == [302] * READERS
    top_level = Comment.objects.comments().filter(post=post, level=1).order_by("lft")
    assert list(top_level.values_list("number", flat=True)) == list(range(1, READERS + 2))
    assert list(top_level.values_list("path", flat=True)) == [str(n) for n in range(1, READERS + 2)]
    assert_trees_clean()


def test_fifty_simultaneous_replies_to_one_comment_nest_under_it_in_order():
    post = PostFactory()
    parent = comment(post, body="Reply to me")
    clients = logged_in_clients(READERS)

    results = post_all_at_once(
        clients,
        reverse("forum:comment_create", args=[post.pk]),
        lambda i: {"body": f"Reply {i}", "anonymous": "on", "parent": parent.pk},
    )

    assert results == [302] * READERS
    replies = Comment.objects.filter(parent=parent).order_by("lft")
    assert list(replies.values_list("path", flat=True)) == [f"1.{n}" for n in range(1, 51)]
    assert_trees_clean()
