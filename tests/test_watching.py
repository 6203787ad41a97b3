"""A logged-in reader watches a thread: its new comments come by mail, at most one mail
per few hours, sent by the task worker, and one click on the mail's link stops them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from forum.models import CommentStatus
from forum.threads import publish
from tests.factories import PostFactory, UserFactory, comment, verified_user
from tests.tasks import delivered
from watching.digests import WATCH_INTERVAL
from watching.models import Watch

pytestmark = pytest.mark.django_db


def later(delta: timedelta) -> time_machine.travel:
    return time_machine.travel(timezone.now() + delta, tick=True)


@pytest.fixture
def watched(client: Client):
    """Sam, logged in, watches "Pick of the Week" from its page."""
    sam = verified_user(email="sam@example.org")
    post = PostFactory(title="Pick of the Week")
    client.force_login(sam)
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'href="/watch/{post.pk}/"' in page
    response = client.post(f"/watch/{post.pk}/")
    assert response["Location"] == post.get_absolute_url()
    assert Watch.objects.filter(user=sam, post=post).exists()
    return sam, post


def say(post, body: str, **fields):
    return comment(post, body=body, author=UserFactory(), **fields)


def test_a_watcher_gets_one_mail_per_window_listing_the_new_comments(
    watched, django_capture_on_commit_callbacks
):
    sam, post = watched
    with django_capture_on_commit_callbacks(execute=True):
        say(post, "First new comment")
    assert len(delivered()) == 1
    first = mail.outbox[0]
    assert first.to == ["sam@example.org"] and "Pick of the Week" in first.subject
    assert "1. " in first.body and "First new comment" in first.body
    assert f"{post.get_absolute_url()}?comment=1" in first.body

    with django_capture_on_commit_callbacks(execute=True):
        say(post, "Second new comment")
        say(post, "Third new comment")
    assert len(delivered()) == 1, "the next mail waits for the window to end"

    with later(WATCH_INTERVAL + timedelta(minutes=1)):
        assert len(delivered()) == 2
    second = mail.outbox[1].body
    assert "Second new comment" in second and "Third new comment" in second
    assert "First new comment" not in second


def test_held_comments_wait_for_publication_and_the_watchers_own_comments_are_not_mailed(
    watched, django_capture_on_commit_callbacks
):
    sam, post = watched
    with django_capture_on_commit_callbacks(execute=True):
        comment(post, body="Sam's own words", author=sam)
        held = say(post, "Held words", status=CommentStatus.PENDING)
    assert delivered() == []

    with django_capture_on_commit_callbacks(execute=True):
        publish(held)
    (to_sam,) = [m for m in delivered() if m.to == ["sam@example.org"]]
    assert "Held words" in to_sam.body and "Sam's own" not in to_sam.body


def test_the_stop_link_stops_the_mail_in_one_click(
    watched, client: Client, django_capture_on_commit_callbacks
):
    sam, post = watched
    with django_capture_on_commit_callbacks(execute=True):
        say(post, "Something to mail")
    (message,) = delivered()
    stop = re.search(r"http://\S+/watch/stop/\S+/", message.body).group(0)
    assert message.extra_headers["List-Unsubscribe"] == f"<{stop}>"
    path = "/watch/" + stop.split("/watch/", 1)[1]

    anonymous = Client()
    assert "Stop watching" in anonymous.get(path).content.decode()  # a scanner stops nothing
    assert Watch.objects.filter(user=sam).exists()
    assert "no more emails" in anonymous.post(path).content.decode()
    assert not Watch.objects.filter(user=sam).exists()

    with later(WATCH_INTERVAL * 2), django_capture_on_commit_callbacks(execute=True):
        say(post, "After stopping")
        assert len(delivered()) == 1


def test_a_forged_stop_link_stops_nothing(watched):
    sam, post = watched
    assert Client().post("/watch/stop/not-a-token/").status_code == 400
    assert Watch.objects.filter(user=sam, post=post).exists()


def test_watching_is_for_logged_in_readers_and_can_be_undone_from_the_page(watched, client: Client):
    sam, post = watched
    assert "Stop watching" in client.get(f"/watch/{post.pk}/").content.decode()
    client.post(f"/watch/{post.pk}/")
    assert not Watch.objects.exists()

    anonymous = Client()
    assert "Watch this thread" not in anonymous.get(post.get_absolute_url()).content.decode()
    assert anonymous.post(f"/watch/{post.pk}/").status_code == 302  # to the login page
    assert not Watch.objects.exists()
