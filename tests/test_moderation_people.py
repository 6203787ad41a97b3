"""A page per person for moderators: what they wrote and what was decided about them, and
suspending, lifting, watching, restoring trust and noting, each one logged."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.forms import SUSPENDED_RENAME
from forum.models import Comment, CommentStatus
from forum.permissions import SUSPENDED, can_flag, comment_refusal, is_suspended
from moderation.actions import flag, moderate
from moderation.models import Flag, LogAction, LogEntry, WatchedUser
from moderation.rules import decide

from .factories import PostFactory, UserFactory, comment, moderator, verified_user

pytestmark = pytest.mark.django_db


def page_of(person) -> str:
    return reverse("moderation:person", args=[person.handle])


def do(client, person, what, **fields):
    return client.post(page_of(person), {"do": what, **fields}, follow=True)


def said(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def mod_client(client):
    client.force_login(moderator())  # a member of the group createmoderator makes
    return client


def test_the_person_page_shows_everything_about_them_under_their_handle_only(mod_client):
    person = UserFactory(email="jo.bloggs@example.org", first_name="Jo", display_name="JoB")
    post = PostFactory(title="Through the gate")
    shown = comment(post, body="Published words", author=person)
    waiting = comment(post, body="Waiting words", status=CommentStatus.PENDING, author=person)
    moderate(waiting, LogAction.REJECT, moderator(), "Off-topic")
    flag(shown, UserFactory(), "abusive")
    flag(comment(post, body="Someone else"), person, "spam")

    html = mod_client.get(page_of(person)).content.decode()
    assert person.handle in html
    assert "jo.bloggs@example.org" not in html and "JoB" not in html
    assert "Published words" in html and "Waiting words" in html
    assert "Off-topic" in html and "Rejected" in html
    assert "Abusive from" in html and "Spam on" in html


def test_readers_cannot_open_a_person_page(client):
    client.force_login(UserFactory())
    assert client.get(page_of(UserFactory())).status_code == 403


def test_a_moderator_suspends_indefinitely_and_lifts_both_logged(mod_client, client):
    person = verified_user()
    post = PostFactory()
    done = do(mod_client, person, "suspend", duration="", reason="Threats to a colleague")
    assert said(done) == [f"Suspended {person.handle}."]
    person.refresh_from_db()
    assert is_suspended(person) and person.suspended_until is None
    assert comment_refusal(person, post) == SUSPENDED
    entry = LogEntry.objects.get(subject=person, action=LogAction.SUSPEND)
    assert entry.reason == "indefinitely: Threats to a colleague"

    done = do(mod_client, person, "lift", reason="Apologised")
    assert said(done) == [f"Lifted the suspension of {person.handle}."]
    person.refresh_from_db()
    assert not is_suspended(person) and comment_refusal(person, post) == ""
    assert LogEntry.objects.get(subject=person, action=LogAction.LIFT).reason == "Apologised"


def test_a_timed_suspension_ends_by_itself(mod_client):
    person = verified_user()
    do(mod_client, person, "suspend", duration="7", reason="Cooling off")
    person.refresh_from_db()
    assert is_suspended(person)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=7, minutes=1)):
        assert not is_suspended(person)
        assert comment_refusal(person, PostFactory()) == ""


def test_someone_who_never_commented_can_be_suspended(mod_client):
    person = UserFactory()
    do(mod_client, person, "suspend", duration="1", reason="Spam account")
    person.refresh_from_db()
    assert is_suspended(person)


def test_a_suspended_person_cannot_post_reply_flag_or_rename(client):
    person = verified_user(display_name="Before")
    post = PostFactory()
    target = comment(post, body="Someone's comment")
    do_as = moderator()
    client.force_login(do_as)
    do(client, person, "suspend", duration="", reason="Abuse")
    person.refresh_from_db()

    client.force_login(person)
    assert not can_flag(person, Comment.objects.select_related("post").get(pk=target.pk))
    page = client.get(post.get_absolute_url()).content.decode()
    assert reverse("moderation:flag", args=[target.pk]) not in page
    client.post(reverse("moderation:flag", args=[target.pk]), {"reason": "spam"})
    assert not Flag.objects.exists()
    answer = client.post(
        reverse("forum:comment_create", args=[post.pk]),
        {"body": "A reply", "parent": target.pk, "anonymous": "on"},
    )
    assert answer.status_code == 403 and Comment.objects.comments().count() == 1
    answer = client.post(reverse("accounts:profile"), {"display_name": "After"})
    assert SUSPENDED_RENAME in answer.content.decode().replace("&#x27;", "'")
    person.refresh_from_db()
    assert person.display_name == "Before"


def test_force_moderate_restore_trust_and_notes_are_logged(mod_client):
    person = UserFactory()
    post = PostFactory()
    for n in range(3):
        comment(post, author=person, body=f"fine {n}")
    do(mod_client, person, "watch", reason="Borderline posts")
    assert WatchedUser.objects.filter(user=person).exists()
    assert decide(person, post, "Hello").status == CommentStatus.PENDING
    do(mod_client, person, "unwatch")
    assert decide(person, post, "Hello").status == CommentStatus.PUBLISHED

    moderate(comment(post, author=person, status=CommentStatus.PENDING), LogAction.SPAM, None)
    assert "Trust lost" in mod_client.get(page_of(person)).content.decode()
    do(mod_client, person, "trust", reason="A mistake")
    assert decide(person, post, "Hello").status == CommentStatus.PUBLISHED
    assert "Trust lost" not in mod_client.get(page_of(person)).content.decode()

    do(mod_client, person, "note", reason="Works in an approved premises, knows the area")
    actions = list(
        LogEntry.objects.filter(subject=person).order_by("id").values_list("action", flat=True)
    )
    assert actions == [
        LogAction.WATCH,
        LogAction.UNWATCH,
        LogAction.RESTORE_TRUST,
        LogAction.NOTE,
    ]
    assert "knows the area" in mod_client.get(page_of(person)).content.decode()


def test_the_person_page_runs_a_constant_number_of_queries(
    mod_client, django_assert_max_num_queries
):
    person = UserFactory()
    post = PostFactory()
    for n in range(30):
        c = comment(post, author=person, body=f"c{n}", status=CommentStatus.PENDING)
        moderate(c, LogAction.REJECT, None, "no")
        flag(comment(post, body=f"other {n}"), person, "spam")
    with django_assert_max_num_queries(16):
        assert mod_client.get(page_of(person)).status_code == 200


def test_an_administrator_finds_the_page_of_someone_who_never_commented_in_the_users_admin(
    client, mod_client
):
    """Accounts, with their addresses, are the administrators' (issue 17): a moderator
    is refused the list, an administrator finds the person there and links their page."""
    person = UserFactory()
    listing = reverse("admin:accounts_user_changelist") + f"?q={person.handle}"
    assert mod_client.get(listing).status_code == 403
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    users = client.get(listing)
    assert users.status_code == 200
    assert f'href="{page_of(person)}"' in users.content.decode()
