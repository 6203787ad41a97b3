"""Many readers replying to one post at once: nothing lost, every tree still valid.

SQLite serialises writers and hides these bugs; this runs in the PostgreSQL pass.
"""

from functools import partial

import pytest
from django.core.management import call_command

from forum.models import Comment, CommentStatus
from forum.threads import add_comment, publish

from .factories import PostFactory, comment
from .together import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

THREADS = 8
REPLIES_EACH = 25


def run_in_threads(work) -> list[BaseException]:
    return run_together([partial(work, i) for i in range(THREADS)])


def test_eight_threads_replying_to_one_post_lose_nothing_and_keep_the_tree_valid():
    post = PostFactory()
    parents = [comment(post, body=f"Parent {i}") for i in range(4)]

    def work(index: int) -> None:
        for n in range(REPLIES_EACH):
            # half the threads share a parent, the others spread over every parent
            parent = parents[0] if index % 2 else parents[n % len(parents)]
            add_comment(
                post, parent, body=f"t{index} r{n}", author=None, status=CommentStatus.PUBLISHED
            )

    assert run_in_threads(work) == []
    assert Comment.objects.comments().filter(post=post).count() == 4 + THREADS * REPLIES_EACH
    for parent in parents:
        numbers = list(
            Comment.objects.filter(parent=parent).order_by("lft").values_list("number", flat=True)
        )
        assert numbers == list(range(1, len(numbers) + 1))
    call_command("check_comment_trees")


def test_concurrent_top_level_comments_and_publications_number_without_duplicates():
    post = PostFactory()
    pending = [comment(post, status=CommentStatus.PENDING) for _ in range(THREADS * 5)]

    def work(index: int) -> None:
        for n in range(5):
            publish(pending[index * 5 + n])
            add_comment(
                post, None, body=f"t{index} {n}", author=None, status=CommentStatus.PUBLISHED
            )

    assert run_in_threads(work) == []
    numbers = sorted(
        Comment.objects.published().filter(post=post, level=1).values_list("number", flat=True)
    )
    assert numbers == list(range(1, THREADS * 10 + 1))
    call_command("check_comment_trees")
