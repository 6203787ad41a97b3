"""A moderator's bulk action is all or nothing: when the database stops it on one
comment, the comments before it are left as they were, and the moderator reads what
happened instead of getting a 500.

The failures are real: a damaged row that breaks a unique constraint (both engines),
and on PostgreSQL a comment row another transaction holds past the lock timeout.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.urls import reverse

from forum.models import Comment, CommentStatus, RemovedBy
from forum.threads import set_status
from moderation.models import LogEntry
from search.models import SearchDocument

from .factories import PostFactory, comment, moderator
from .trees import tree_shape

QUEUE = reverse("admin:forum_comment_changelist") + "?status=all"
PUBLISHED, PENDING, REMOVED = (
    CommentStatus.PUBLISHED,
    CommentStatus.PENDING,
    CommentStatus.REMOVED,
)


def act(client, action: str, comments: list[Comment]):
    data = {"action": action, "_selected_action": [c.pk for c in comments], "index": 0}
    return client.post(QUEUE, data, follow=True)


def messages_of(page) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in page.context["messages"]]


def snapshot(*posts) -> tuple:
    """Everything a bulk action could change: trees (status, numbers, layout), the log,
    the search rows."""
    return (
        [tree_shape(post) for post in posts],
        LogEntry.objects.count(),
        sorted(SearchDocument.objects.values_list("id", "comment_count")),
    )


@pytest.fixture
def mod_client(client):
    client.force_login(moderator())
    return client


@pytest.mark.django_db
def test_a_bulk_publish_stopped_by_a_damaged_row_changes_nothing_and_says_so(mod_client):
    post = PostFactory(title="Approved Premises")
    first = comment(post, body="One")
    reply = comment(post, first, body="One's reply")
    comment(post, body="Two")
    held = [comment(post, body=f"Held {i}", status=PENDING) for i in range(2)]
    # A damaged row: the reply claims the number path the second publication will take.
    Comment.objects.filter(pk=reply.pk).update(path="4")
    before = snapshot(post)

    page = act(mod_client, "publish", held)

    assert page.status_code == 200
    ((level, text),) = messages_of(page)
    assert level == "error"
    assert text.startswith(
        f"Nothing was changed: comment (new, id {held[1].pk}) on “Approved Premises” "
        "could not be published (the database refused it: "
    )
    assert snapshot(post) == before, "the first publication was rolled back with the second"

    Comment.objects.filter(pk=reply.pk).update(path="1.1")
    page = act(mod_client, "publish", held)
    assert messages_of(page) == [("info", "Published 2 comment(s).")]
    assert [Comment.objects.get(pk=c.pk).path for c in held] == ["3", "4"]


@contextmanager
def row_held(pk: int) -> Iterator[None]:
    """Another connection holds the comment row's lock (`SELECT ... FOR UPDATE`) while
    the block runs, as a long transaction elsewhere would."""
    ready, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                Comment.objects.select_for_update().filter(pk=pk).values_list("pk").get()
                ready.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert ready.wait(10)
    try:
        yield
    finally:
        release.set()
        holder.join()


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
@pytest.mark.parametrize(
    "action, start, verb",
    [
        ("publish", PENDING, "published"),
        ("reject", PUBLISHED, "rejected"),
        ("mark_spam", PUBLISHED, "marked as spam"),
        ("remove", PUBLISHED, "removed"),
        ("restore", REMOVED, "restored"),
    ],
)
def test_a_bulk_action_that_waits_too_long_on_its_last_comment_changes_nothing(
    mod_client, settings, action, start, verb
):
    settings.FORUM_MODERATION_LOCK_TIMEOUT = 0.5
    first, last = PostFactory(title="First thread"), PostFactory(title="Last thread")
    for post in (first, last):
        comment(post, body="Untouched")
    chosen = [
        comment(first, body="Oldest", status=PENDING if start == PENDING else PUBLISHED),
        comment(first, body="Older", status=PENDING if start == PENDING else PUBLISHED),
        comment(last, body="Newest", status=PENDING if start == PENDING else PUBLISHED),
    ]
    if start == REMOVED:
        for c in chosen:
            set_status(c, REMOVED, RemovedBy.MODERATOR)  # restorable
    newest = Comment.objects.get(pk=chosen[-1].pk)
    before = snapshot(first, last)

    with row_held(newest.pk):
        page = act(mod_client, action, chosen)

    assert page.status_code == 200
    ref = f"#{newest.path}" if newest.path else f"(new, id {newest.pk})"
    assert messages_of(page) == [
        (
            "error",
            f"Nothing was changed: comment {ref} on “Last thread” could not be {verb} "
            "(waited more than 0.5 s for another change to finish; try again).",
        )
    ]
    assert snapshot(first, last) == before, "the two older comments were rolled back"

    page = act(mod_client, action, chosen)
    assert messages_of(page)[0] == ("info", f"{verb.capitalize()} 3 comment(s).")
    assert LogEntry.objects.count() == 3
