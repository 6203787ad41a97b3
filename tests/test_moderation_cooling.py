"""Cooling a heated thread: moderators close a post's comments or put it in slow mode, from
the post page or the admin; both are logged, shown to readers and enforced."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from forum.models import Comment, Post
from forum.permissions import CLOSED
from moderation.models import LogAction, LogEntry

from .factories import PostFactory, comment, moderator, verified_user
from .together import logged_in, run_together

pytestmark = pytest.mark.django_db


def cool(client, post, do, **fields):
    return client.post(
        reverse("moderation:cool", args=[post.pk]), {"do": do, **fields}, follow=True
    )


def submit(client, post, body="Another view on caseloads."):
    return client.post(
        reverse("forum:comment_create", args=[post.pk]), {"body": body, "anonymous": "on"}
    )


def trusted(post):
    reader = verified_user()
    for n in range(3):
        comment(post, body=f"Approved {n}", author=reader)
    return reader


def test_a_moderator_closes_a_thread_from_the_post_page_and_readers_see_it(client):
    post = PostFactory()
    reader = trusted(post)
    mod = moderator()
    client.force_login(mod)
    page = client.get(post.get_absolute_url()).content.decode()
    assert ">Close comments</button>" in page
    done = cool(client, post, "close", reason="Heated")
    assert [str(m) for m in done.context["messages"]] == ["Comments are closed on this post."]
    entry = LogEntry.objects.get(post=post)
    assert (entry.action, entry.moderator, entry.reason) == (LogAction.CLOSE, mod, "Heated")

    client.force_login(reader)
    assert CLOSED in client.get(post.get_absolute_url()).content.decode()
    assert submit(client, post).status_code == 403
    client.logout()
    assert (
        "Comments are closed on this post." in client.get(post.get_absolute_url()).content.decode()
    )

    client.force_login(mod)
    cool(client, post, "reopen")
    assert Post.objects.get(pk=post.pk).comments_open
    assert LogEntry.objects.filter(post=post, action=LogAction.REOPEN).exists()


def test_slow_mode_allows_one_comment_per_person_per_n_minutes(client):
    post = PostFactory()
    reader = trusted(post)
    client.force_login(moderator())
    cool(client, post, "slow", minutes="10", reason="Cooling down")
    assert LogEntry.objects.get(post=post, action=LogAction.SLOW_MODE).reason == (
        "10 minutes: Cooling down"
    )

    client.force_login(reader)
    page = client.get(post.get_absolute_url()).content.decode()
    assert "Slow mode: one comment per person every 10 minutes on this post." in page
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        assert submit(client, post, "First").status_code == 302
        refused = submit(client, post, "Second, straight away")
        assert refused.status_code == 403
        assert "Slow mode is on for this post" in refused.content.decode()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=22)):
        assert submit(client, post, "Third, later").status_code == 302
    bodies = set(Comment.objects.filter(author=reader).values_list("body", flat=True))
    assert "First" in bodies and "Third, later" in bodies
    assert "Second, straight away" not in bodies


def test_moderators_made_with_createmoderator_cool_threads_in_the_admin(client):
    post = PostFactory()
    client.force_login(moderator())
    changelist = reverse("admin:forum_post_changelist")
    data = {"_selected_action": [post.pk], "index": 0, "reason": "Flame war"}
    client.post(changelist, {**data, "action": "set_slow_mode", "minutes": 5})
    client.post(changelist, {**data, "action": "close_comments"})
    post.refresh_from_db()
    assert post.slow_mode_minutes == 5 and not post.comments_open
    actions = set(LogEntry.objects.filter(post=post).values_list("action", flat=True))
    assert actions == {LogAction.SLOW_MODE, LogAction.CLOSE}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_in_slow_mode_two_comments_sent_at_once_by_one_person_let_one_through(settings):
    settings.FORUM_COMMENT_RATE = "100/m"  # slow mode, not the rate limit, decides here
    post = PostFactory()
    reader = trusted(post)
    Post.objects.filter(pk=post.pk).update(slow_mode_minutes=10)
    post.refresh_from_db()
    clients = logged_in([reader, reader])
    statuses: list[int] = []
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        errors = run_together(
            [
                lambda c=c, n=n: statuses.append(submit(c, post, f"At once {n}").status_code)
                for n, c in enumerate(clients)
            ]
        )
    assert errors == [] and sorted(statuses) == [302, 403]
    assert Comment.objects.filter(author=reader, body__startswith="At once").count() == 1
