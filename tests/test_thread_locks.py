"""Every change to a thread's comments waits for its post's row lock before it changes
anything: replies, publication, reject, spam, remove, restore, a flag that hides, an
author taking a comment back, and bulk actions over several posts.

While the test holds a post's lock (`forum.threads.lock_post`, as any writer of that
thread would), the change must still be waiting; once the lock is let go, it completes.
PostgreSQL only: SQLite has no row locks (its IMMEDIATE transactions run one writer at
a time).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import OperationalError, connection, transaction
from django.test import Client
from django.urls import reverse

from forum.models import Comment, CommentStatus, Post, RemovedBy
from forum.threads import add_comment, lock_post, publish, set_status
from moderation.actions import ActionFailed, flag, moderate, moderate_many
from moderation.models import LogAction

from .factories import PostFactory, UserFactory, comment, moderator

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def in_thread(change: Callable[[], object]) -> tuple[threading.Event, list[BaseException]]:
    """Start `change` in a thread of its own (its own connection); the event is set when
    it has finished."""
    done, errors = threading.Event(), []

    def run() -> None:
        try:
            change()
        except BaseException as error:  # reported by the test, not swallowed
            errors.append(error)
        finally:
            connection.close()
            done.set()

    threading.Thread(target=run).start()
    return done, errors


def wait_until_blocked_by_us(done: threading.Event) -> None:
    """Until another connection waits for a lock this transaction holds; fails if the
    change finishes first (it did not wait for the lock)."""
    blocked = (
        "SELECT count(*) FROM (SELECT DISTINCT pid FROM pg_locks WHERE NOT granted) w "
        "WHERE pg_backend_pid() = ANY(pg_blocking_pids(w.pid))"
    )
    deadline = time.monotonic() + 20
    with connection.cursor() as cursor:
        while time.monotonic() < deadline and not done.is_set():
            cursor.execute(blocked)
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    pytest.fail("the change went ahead while the post was locked")


def assert_waits_for_the_post_lock(post: Post, change: Callable[[], object]) -> None:
    with transaction.atomic():
        lock_post(post.pk)
        done, errors = in_thread(change)
        wait_until_blocked_by_us(done)
    assert done.wait(10) and errors == []


def reply(post: Post) -> Callable[[], object]:
    parent = comment(post)
    return lambda: add_comment(
        post, parent, body="A reply", author=None, status=CommentStatus.PUBLISHED
    )


def publication(post: Post) -> Callable[[], object]:
    held = comment(post, status=CommentStatus.PENDING)
    return lambda: publish(held)


def decision(action: str, status: str = CommentStatus.PUBLISHED) -> Callable:
    def prepare(post: Post) -> Callable[[], object]:
        target = comment(post)
        if status != CommentStatus.PUBLISHED:
            set_status(target, status, RemovedBy.MODERATOR)  # restorable: a moderator's
        return lambda: moderate(target, action, None)

    return prepare


def flag_that_hides(post: Post) -> Callable[[], object]:
    target, reader = comment(post), UserFactory()
    return lambda: flag(target, reader, "abusive")


def author_takes_back(post: Post) -> Callable[[], object]:
    author = UserFactory()
    mine = comment(post, author=author, status=CommentStatus.PENDING)
    client = Client()
    client.force_login(author)
    return lambda: client.post(reverse("forum:comment_remove", args=[mine.pk]))


CHANGES = {
    "reply": reply,
    "publish": publication,
    "reject": decision(LogAction.REJECT),
    "spam": decision(LogAction.SPAM),
    "remove": decision(LogAction.REMOVE),
    "restore": decision(LogAction.RESTORE, CommentStatus.REMOVED),
    "flag hides": flag_that_hides,
    "author removes": author_takes_back,
}


def state(post: Post) -> list[tuple]:
    rows = Comment.objects.filter(post=post).order_by("pk")
    return list(rows.values_list("pk", "status", "number", "lft", "rght"))


@pytest.mark.parametrize("change", CHANGES)
def test_each_change_waits_for_the_post_lock(settings, change):
    settings.FORUM_FLAGS_TO_HIDE = 1
    post = PostFactory()
    comment(post, body="Already here")
    prepared = CHANGES[change](post)
    before = state(post)
    assert_waits_for_the_post_lock(post, prepared)
    assert state(post) != before, "once the lock was let go, the change was made"


def locked_elsewhere(query: str, params: list) -> bool:
    """Whether another transaction holds the row (asked without waiting)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(query + " FOR UPDATE NOWAIT", params)
    except OperationalError:
        return True
    return False


def test_a_bulk_action_locks_every_post_it_touches_before_changing_any_comment():
    first, second = PostFactory(), PostFactory()
    held = [comment(post, status=CommentStatus.PENDING) for post in (first, second)]
    acting = moderator()
    with transaction.atomic():
        lock_post(second.pk)
        done, errors = in_thread(lambda: moderate_many(held, LogAction.PUBLISH, acting))
        wait_until_blocked_by_us(done)
        # Waiting on the second post with the first one's lock taken and nothing written.
        assert locked_elsewhere("SELECT id FROM forum_post WHERE id = %s", [first.pk])
        assert not locked_elsewhere("SELECT id FROM forum_comment WHERE id = %s", [held[0].pk])
    assert done.wait(10) and errors == []
    assert [Comment.objects.get(pk=c.pk).path for c in held] == ["1", "1"]


def test_a_bulk_action_kept_waiting_too_long_gives_up_having_changed_nothing(settings):
    settings.FORUM_MODERATION_LOCK_TIMEOUT = 0.3
    first, second = PostFactory(), PostFactory()
    held = [comment(post, status=CommentStatus.PENDING) for post in (first, second)]
    failures: list[str] = []
    acting = moderator()

    def bulk_publish() -> None:
        try:
            moderate_many(held, LogAction.PUBLISH, acting)
        except ActionFailed as failure:
            failures.append(str(failure))

    with transaction.atomic():
        lock_post(second.pk)
        done, errors = in_thread(bulk_publish)
        assert done.wait(10) and errors == []
    assert failures == [
        "Nothing was changed: the comments could not be published (waited more than "
        "0.3 s for another change to finish; try again)."
    ]
    assert Comment.objects.pending().filter(pk__in=[c.pk for c in held]).count() == 2
