"""Moderators clear the queue while readers reply in the same thread, all at once on
PostgreSQL, through the real views: nobody gets an error, PostgreSQL detects no
deadlock, every tree stays valid and every comment's story adds up.

Before every status change took the post row lock (in post-id order) this lost moderator
actions to `deadlock detected` (issue 15). SQLite serialises writers and would hide it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from itertools import chain

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse

from forum.models import Comment, CommentStatus, Post
from moderation.models import Flag, LogAction, LogEntry, Mode, ModerationRules
from search.models import SearchDocument

from .factories import PostFactory, comment
from .test_commenting_concurrency import assert_trees_clean, logged_in_clients
from .together import logged_in, run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

QUEUE = reverse("admin:forum_comment_changelist") + "?status=all"
PUBLISHED, PENDING, REMOVED = (
    CommentStatus.PUBLISHED,
    CommentStatus.PENDING,
    CommentStatus.REMOVED,
)
READERS, REPLIES_EACH = 8, 5
FLAGGERS, FLAGGED = 3, 6  # three readers flag each of six comments: each is hidden once
# Each moderator's actions, one after the other: (admin action, which comments). The
# selections overlap between moderators and each spans both posts.
PLANS = [
    [("publish", "pending", 0, 16), ("remove", "shown", 0, 12), ("restore", "removed", 0, 8),
     ("mark_spam", "pending", 16, 24)],
    [("reject", "pending", 8, 24), ("mark_spam", "shown", 6, 18), ("publish", "pending", 0, 8),
     ("restore", "removed", 4, 12)],
    [("remove", "shown", 12, 24), ("publish", "pending", 4, 20), ("reject", "shown", 0, 6),
     ("restore", "removed", 0, 12)],
    [("mark_spam", "shown", 18, 24), ("remove", "shown", 3, 15), ("restore", "removed", 6, 12),
     ("publish", "pending", 12, 24)],
]  # fmt: skip


def accounts(prefix: str, n: int, **fields) -> list:
    """Accounts made in bulk, without the password hashing that would dominate the test."""
    User = get_user_model()
    return User.objects.bulk_create(
        User(username=f"{prefix}{i}", email=f"{prefix}{i}@example.org", password="!", **fields)
        for i in range(n)
    )


def readers(n: int) -> list[Client]:
    """Readers with verified addresses, who publish directly (rules: no moderation)."""
    users = accounts("reader", n)
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, primary=True, verified=True) for u in users
    )
    rules = ModerationRules.load()
    rules.mode = Mode.NONE
    rules.save()
    return logged_in(users)


def deadlocks_so_far() -> int:
    """PostgreSQL's own count of `deadlock detected` in this database. Backends report
    it when they finish: the workers' connections are closed, give the report a moment."""
    time.sleep(1.5)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def moderated_comments(post: Post) -> dict[str, list[Comment]]:
    """24 pending, 24 published and 12 removed comments, oldest first."""
    made = {
        "pending": [comment(post, body=f"held {i}", status=PENDING) for i in range(24)],
        "shown": [comment(post, body=f"shown {i}") for i in range(24)],
        "removed": [comment(post, body=f"gone {i}") for i in range(12)],
    }
    for gone in made["removed"]:
        Comment.objects.filter(pk=gone.pk).update(status=REMOVED)
    return made


def assert_every_story_adds_up(comments: list[Comment]) -> None:
    """Each comment's log is one unbroken chain from where it started to where it is: no
    decision taken on a status another moderator had already changed, none lost."""
    for start in comments:
        held = start.body.startswith("held")
        status = PENDING if held else REMOVED if start.body.startswith("gone") else PUBLISHED
        ever_public = not held
        for entry in LogEntry.objects.filter(comment=start).order_by("id"):
            assert entry.from_status == status, (start.body, entry)
            status = entry.to_status
            ever_public |= status == PUBLISHED
        now = Comment.objects.get(pk=start.pk)
        assert now.status == status, start.body
        assert (now.number is not None) == ever_public, "a number, once given, stays"


def assert_numbers_have_no_holes(post: Post) -> None:
    numbered = Comment.objects.filter(post=post, number__isnull=False)
    for parent_id in set(numbered.values_list("parent_id", flat=True)):
        numbers = Comment.objects.filter(parent_id=parent_id, number__isnull=False)
        in_order = list(numbers.order_by("lft").values_list("number", flat=True))
        assert in_order == list(range(1, len(in_order) + 1)), (post.pk, parent_id)


def assert_search_matches(post: Post) -> None:
    """The triggers' rows (written inside the same locked transactions) agree with the forum."""
    public = set(Comment.objects.public().filter(post=post).values_list("pk", flat=True))
    indexed = SearchDocument.objects.filter(post=post, kind="comment")
    assert set(indexed.values_list("comment_id", flat=True)) == public
    assert SearchDocument.objects.get(post=post, kind="post").comment_count == len(public)


def test_moderators_and_readers_at_once_on_two_posts_never_deadlock_or_fail(settings):
    settings.FORUM_COMMENT_RATE = "1000/m"
    settings.FORUM_FLAGS_TO_HIDE = FLAGGERS
    busy, other = PostFactory(title="Busy thread"), PostFactory(title="Quiet thread")
    anchors = [comment(busy, body=f"Reply to me {i}") for i in range(4)]
    flagged = [comment(busy, body=f"flagged {i}") for i in range(FLAGGED)]
    lists = {name: [] for name in ("pending", "shown", "removed")}
    for post in (busy, other):
        for name, made in moderated_comments(post).items():
            lists[name].append(made)
    reader_clients = readers(READERS + FLAGGERS)
    moderator_clients = logged_in_clients(len(PLANS))
    before = deadlocks_so_far()
    codes: list[int] = []
    reply_url = reverse("forum:comment_create", args=[busy.pk])

    def reader(index: int) -> Callable[[], None]:
        def job() -> None:
            for n in range(REPLIES_EACH):
                parent = anchors[(index + n) % len(anchors)].pk if n % 2 else ""
                body = f"reader {index} reply {n}"
                data = {"body": body, "anonymous": "on", "parent": parent}
                codes.append(reader_clients[index].post(reply_url, data).status_code)

        return job

    def flagger(index: int) -> Callable[[], None]:
        def job() -> None:
            for target in flagged:
                url = reverse("moderation:flag", args=[target.pk])
                data = {"reason": "abusive"}
                codes.append(reader_clients[READERS + index].post(url, data).status_code)

        return job

    def moderator(index: int) -> Callable[[], None]:
        def job() -> None:
            for action, name, start, stop in PLANS[index]:
                chosen = [c.pk for made in lists[name] for c in made[start:stop]]
                data = {"action": action, "_selected_action": chosen, "index": 0, "reason": ""}
                codes.append(moderator_clients[index].post(QUEUE, data).status_code)

        return job

    jobs = [reader(i) for i in range(READERS)] + [moderator(i) for i in range(len(PLANS))]
    jobs += [flagger(i) for i in range(FLAGGERS)]
    assert run_together(jobs) == []

    assert codes == [302] * len(codes)
    assert len(codes) == READERS * REPLIES_EACH + 4 * len(PLANS) + FLAGGERS * FLAGGED
    assert deadlocks_so_far() == before, "PostgreSQL detected a deadlock"
    for index, client in enumerate(moderator_clients):
        shown = list(client.get(QUEUE).context["messages"])
        assert [m for m in shown if m.level_tag == "error"] == []
        done = sum(int(str(m).rsplit(" ", 2)[-2]) for m in shown if m.level_tag == "info")
        logged = LogEntry.objects.filter(moderator__username=f"staff{index}").count()
        assert done == logged, "every comment an action reports is in the log"
    replies = Comment.objects.filter(post=busy, body__startswith="reader ")
    assert replies.count() == READERS * REPLIES_EACH == len(set(replies.values_list("body")))
    moderated = list(chain.from_iterable(chain.from_iterable(lists.values())))
    made = 4 + FLAGGED + len(moderated) + READERS * REPLIES_EACH
    assert Comment.objects.comments().count() == made
    assert_every_story_adds_up(moderated + flagged)
    hidden = LogEntry.objects.filter(action=LogAction.AUTO_HIDE)
    assert sorted(hidden.values_list("comment_id", flat=True)) == [c.pk for c in flagged]
    assert Flag.objects.filter(resolved=False).count() == FLAGGERS * FLAGGED
    for post in (busy, other):
        assert_numbers_have_no_holes(post)
        assert_search_matches(post)
    assert_trees_clean()
