"""Readers with accounts comment and reply; new voices wait for a moderator; authors can
take their words back. Every rule here runs on SQLite and on PostgreSQL."""

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from forum.forms import BOT, EMPTY, NO_NAME
from forum.models import ANONYMOUS, Comment, CommentStatus, RemovedBy
from forum.permissions import CLOSED, NOT_REPLYABLE, SUSPENDED, UNVERIFIED
from forum.posting import HELD_MESSAGE, RATE_LIMITED
from forum.threads import set_status

from .factories import PostFactory, UserFactory, comment, moderator, verified_user

pytestmark = pytest.mark.django_db


def submit(client, post, body="Caseloads are far too high this year.", anonymous=True, **extra):
    data = {"body": body, **extra}
    if anonymous:
        data["anonymous"] = "on"
    return client.post(reverse("forum:comment_create", args=[post.pk]), data)


def logged_in(client, user):
    client.force_login(user)
    return client


def latest_of(user) -> Comment:
    return Comment.objects.comments().filter(author=user).latest("pk")


def anonymous_box_ticked(page: str) -> bool:
    (box,) = re.findall(r'<input type="checkbox" name="anonymous"[^>]*>', page)
    return " checked" in box


def trusted_reader(post, **fields):
    """A verified reader whose first three comments a moderator approved."""
    reader = verified_user(**fields)
    for n in range(3):
        comment(post, body=f"Approved {n}", author=reader)
    return reader


# --- Posting and seeing one's own pending comment ---------------------------------------


def test_a_new_readers_comment_waits_for_moderation_and_lands_on_its_anchor(client):
    post = PostFactory()
    reader = verified_user()

    response = submit(logged_in(client, reader), post)

    mine = latest_of(reader)
    assert mine.status == CommentStatus.PENDING
    assert mine.number is None and mine.author == reader
    assert response.status_code == 302
    assert response["Location"] == f"{post.get_absolute_url()}#pending-{mine.pk}"
    page = client.get(response["Location"]).content.decode()
    assert f'id="pending-{mine.pk}"' in page
    assert "Awaiting moderation" in page
    assert "Caseloads are far too high this year." in page
    assert HELD_MESSAGE in page


def test_nobody_but_the_author_sees_a_pending_comment(client):
    post = PostFactory()
    author = verified_user()
    submit(logged_in(client, author), post, body="Only I should see this for now.")

    client.logout()
    assert "Only I should see this" not in client.get(post.get_absolute_url()).content.decode()
    logged_in(client, verified_user())
    assert "Only I should see this" not in client.get(post.get_absolute_url()).content.decode()


def test_a_moderators_comment_is_published_at_once_with_the_next_number(client):
    post = PostFactory()
    comment(post, body="First")
    mod = moderator(display_name="Mod Squad")

    response = submit(logged_in(client, mod), post, body="Moderator here.")

    mine = latest_of(mod)
    assert mine.status == CommentStatus.PUBLISHED and mine.path == "2"
    assert response["Location"] == f"{post.get_absolute_url()}#c2"


def test_a_reader_whose_first_three_comments_were_approved_publishes_directly(client):
    post = PostFactory()
    reader = trusted_reader(post)

    submit(logged_in(client, reader), post, body="Now I am trusted.")

    assert latest_of(reader).status == CommentStatus.PUBLISHED


def test_two_links_hold_even_a_trusted_readers_comment(client):
    post = PostFactory()
    reader = trusted_reader(post)

    submit(logged_in(client, reader), post, body="See https://a.example and https://b.example")

    assert latest_of(reader).status == CommentStatus.PENDING


# --- Replies and the depth limit ---------------------------------------------------------


def test_a_reader_replies_to_a_published_comment_and_it_nests_under_it(client):
    post = PostFactory()
    parent = comment(post, body="Top")
    mod = moderator()

    submit(logged_in(client, mod), post, body="A reply.", parent=parent.pk)

    reply = latest_of(mod)
    assert reply.parent_id == parent.pk and reply.path == "1.1" and reply.level == 2


@override_settings(FORUM_MAX_DEPTH=2)
def test_there_is_no_reply_link_at_the_depth_limit_and_a_forged_reply_is_refused(client):
    post = PostFactory()
    top = comment(post, body="Top")
    deepest = comment(post, top, body="At the limit")
    mod = logged_in(client, moderator())

    page = client.get(post.get_absolute_url()).content.decode()
    assert f'data-parent="{top.pk}"' in page
    assert f'data-parent="{deepest.pk}"' not in page

    response = submit(mod, post, body="Too deep.", parent=deepest.pk)
    assert response.status_code == 400
    assert "cannot nest deeper than 2 levels" in response.content.decode()
    assert not Comment.objects.filter(body="Too deep.").exists()


def test_a_reply_to_a_pending_comment_or_another_posts_comment_is_refused(client):
    post, other_post = PostFactory(), PostFactory()
    pending = comment(post, body="Held", status=CommentStatus.PENDING)
    elsewhere = comment(other_post, body="Elsewhere")
    mod = logged_in(client, moderator())

    for target in (pending, elsewhere):
        response = submit(mod, post, body="Sneaky reply.", parent=target.pk)
        assert response.status_code == 400
        assert NOT_REPLYABLE in response.content.decode()
    assert not Comment.objects.filter(body="Sneaky reply.").exists()


def test_without_javascript_the_reply_link_opens_a_page_with_the_comment_and_the_form(client):
    post = PostFactory()
    parent = comment(post, body="What do you all think?")
    logged_in(client, verified_user())

    page = client.get(post.get_absolute_url()).content.decode()
    reply_url = f"{reverse('forum:comment_create', args=[post.pk])}?parent={parent.pk}"
    assert f'href="{reply_url}"' in page

    reply_page = client.get(reply_url).content.decode()
    assert "What do you all think?" in reply_page
    assert f'name="parent" value="{parent.pk}"' in reply_page
    assert "Reply to comment 1" in reply_page


# --- Anonymous or named ------------------------------------------------------------------


def test_the_public_sees_anonymous_and_a_moderator_sees_only_a_handle(client):
    post = PostFactory()
    author = UserFactory(display_name="Jane Officer", email="jane@example.org")
    comment(post, body="Speaking freely.", author=author, display_name=ANONYMOUS)

    public = client.get(post.get_absolute_url()).content.decode()
    assert "Speaking freely." in public and ANONYMOUS in public
    assert "Jane Officer" not in public and "jane@example.org" not in public

    logged_in(client, moderator())
    sealed = client.get(post.get_absolute_url()).content.decode()
    assert author.handle in sealed
    assert "Jane Officer" not in sealed and "jane@example.org" not in sealed


def test_unticking_anonymous_signs_once_and_the_next_form_still_starts_ticked(client):
    """One signed comment must not silently turn the profile's default off: the next
    comment would start unticked and one slip would publish a name."""
    post = PostFactory()
    reader = trusted_reader(post, display_name="Old Lag", comment_anonymously=True)

    submit(logged_in(client, reader), post, body="Signed this time.", anonymous=False)

    assert latest_of(reader).display_name == "Old Lag"
    reader.refresh_from_db()
    assert reader.comment_anonymously is True
    for url in (post.get_absolute_url(), reverse("forum:comment_create", args=[post.pk])):
        assert anonymous_box_ticked(client.get(url).content.decode())


def test_the_anonymous_default_changes_only_on_the_profile(client):
    post = PostFactory()
    reader = trusted_reader(post, display_name="Old Lag", comment_anonymously=False)

    submit(logged_in(client, reader), post, body="Anonymous this time.", anonymous=True)

    assert latest_of(reader).display_name == ANONYMOUS
    reader.refresh_from_db()
    assert reader.comment_anonymously is False
    assert not anonymous_box_ticked(client.get(post.get_absolute_url()).content.decode())


def test_a_reader_without_a_display_name_must_post_as_anonymous(client):
    post = PostFactory()
    reader = verified_user(display_name="")

    response = submit(logged_in(client, reader), post, anonymous=False)

    assert response.status_code == 400
    assert "set a name on your profile page" in response.content.decode()
    assert NO_NAME.startswith("You have no display name")
    assert not Comment.objects.comments().filter(author=reader).exists()


# --- What is refused ---------------------------------------------------------------------


@pytest.mark.parametrize("body", ["", "   ", "\n\n \t\n"])
def test_an_empty_or_whitespace_comment_is_refused_with_a_clear_message(client, body):
    post = PostFactory()
    response = submit(logged_in(client, verified_user()), post, body=body)
    assert response.status_code == 400
    assert EMPTY.split(":")[0] in response.content.decode()
    assert not Comment.objects.comments().exists()


@override_settings(FORUM_COMMENT_MAX_LENGTH=100)
def test_a_comment_over_the_length_limit_is_refused_saying_how_long_it_is(client):
    post = PostFactory()
    response = submit(logged_in(client, verified_user()), post, body="x" * 101)
    assert response.status_code == 400
    assert "Your comment is 101 characters long; the limit is 100." in response.content.decode()
    # The text comes back in the form, so nothing the reader wrote is lost.
    assert "x" * 101 in response.content.decode()


def test_a_bot_filling_the_honeypot_is_refused_and_nothing_is_stored(client):
    post = PostFactory()
    response = submit(logged_in(client, verified_user()), post, website="http://spam.example")
    assert response.status_code == 400
    assert BOT in response.content.decode()
    assert not Comment.objects.comments().exists()


def test_the_comment_form_describes_its_fields_with_ids_that_exist_and_hides_its_trap(client):
    post = PostFactory()
    page = logged_in(client, verified_user()).get(post.get_absolute_url()).content.decode()
    described = re.findall(r'aria-describedby="([^"]+)"', page)
    assert described, "the fields point at their help text"
    for ids in described:
        for id_ in ids.split():
            assert f'id="{id_}"' in page
    assert '<p class="comment-form__hp" hidden>' in page and "-10000px" not in page


@override_settings(FORUM_COMMENT_RATE="5/m")
def test_a_sixth_comment_within_a_minute_is_refused_but_other_readers_can_still_post(client):
    post = PostFactory()
    fast = logged_in(client, moderator())
    statuses = [submit(fast, post, body=f"Comment {n}").status_code for n in range(6)]
    assert statuses == [302] * 5 + [429]
    assert RATE_LIMITED in submit(fast, post, body="Again").content.decode()

    other = verified_user()
    logged_in(client, other)
    assert submit(client, post, body="My first").status_code == 302


def test_posting_on_a_closed_post_is_refused_and_the_page_says_so(client):
    post = PostFactory(comments_open=False)
    comment(post, body="From the blog days")
    logged_in(client, verified_user())

    page = client.get(post.get_absolute_url()).content.decode()
    assert CLOSED in page and 'id="comment-form"' not in page and "comment__reply" not in page

    response = submit(client, post)
    assert response.status_code == 403 and CLOSED in response.content.decode()
    assert Comment.objects.comments().count() == 1


def test_a_suspended_reader_cannot_post(client):
    post = PostFactory()
    logged_in(client, verified_user(is_suspended=True))

    assert SUSPENDED in client.get(post.get_absolute_url()).content.decode()
    response = submit(client, post)
    assert response.status_code == 403 and SUSPENDED in response.content.decode()
    assert not Comment.objects.comments().exists()


def test_a_reader_must_verify_their_email_before_the_first_comment(client):
    post = PostFactory()
    logged_in(client, UserFactory())  # an account whose address was never confirmed

    page = client.get(post.get_absolute_url()).content.decode()
    assert UNVERIFIED in page and reverse("account_email") in page
    reply_page = client.get(reverse("forum:comment_create", args=[post.pk]))
    assert UNVERIFIED in reply_page.content.decode()
    assert 'id="comment-form"' not in reply_page.content.decode()
    response = submit(client, post)
    assert response.status_code == 403 and UNVERIFIED in response.content.decode()
    assert not Comment.objects.comments().exists()


def test_logged_out_readers_are_invited_to_log_in_on_the_post_page(client):
    post = PostFactory()
    page = client.get(post.get_absolute_url()).content.decode()
    assert reverse("account_login") in page and 'id="comment-form"' not in page


# --- Removing one's own comment ----------------------------------------------------------


def test_an_author_removes_a_published_comment_and_its_replies_stay(client):
    post = PostFactory()
    author = verified_user()
    mine = comment(post, body="I regret this.", author=author)
    reply = comment(post, mine, body="A reply worth keeping.")
    logged_in(client, author)

    confirm = client.get(reverse("forum:comment_remove", args=[mine.pk]))
    assert confirm.status_code == 200 and "I regret this." in confirm.content.decode()
    response = client.post(reverse("forum:comment_remove", args=[mine.pk]))

    assert response["Location"] == f"{post.get_absolute_url()}#c1"
    mine.refresh_from_db()
    assert (mine.status, mine.removed_by, mine.path) == (
        CommentStatus.REMOVED,
        RemovedBy.AUTHOR,
        "1",
    )
    client.logout()
    page = client.get(post.get_absolute_url()).content.decode()
    assert "This comment has been removed by the author." in page
    assert "I regret this." not in page
    assert "A reply worth keeping." in page
    assert Comment.objects.filter(pk=reply.pk, parent=mine).exists()


def test_a_logged_out_reader_sees_the_removal_at_once_despite_the_page_cache(client):
    post = PostFactory()
    author = verified_user()
    mine = comment(post, body="Said in haste.", author=author)
    assert "Said in haste." in client.get(post.get_absolute_url()).content.decode()

    author_client = logged_in(Client(), author)
    author_client.post(reverse("forum:comment_remove", args=[mine.pk]))

    page = client.get(post.get_absolute_url()).content.decode()
    assert "Said in haste." not in page
    assert "This comment has been removed by the author." in page


def test_an_author_takes_back_a_pending_comment_and_it_simply_disappears(client):
    post = PostFactory()
    author = verified_user()
    pending = comment(post, body="Second thoughts.", author=author, status=CommentStatus.PENDING)
    logged_in(client, author)

    response = client.post(reverse("forum:comment_remove", args=[pending.pk]))

    assert response["Location"] == f"{post.get_absolute_url()}#comments"
    assert Comment.objects.filter(pk=pending.pk, status=CommentStatus.REMOVED).exists()
    assert "Second thoughts." not in client.get(post.get_absolute_url()).content.decode()


def test_a_comment_a_moderator_removed_cannot_be_relabelled_by_its_author(client):
    post = PostFactory()
    author = verified_user()
    mine = comment(post, body="Rude.", author=author)
    set_status(mine, CommentStatus.REMOVED, RemovedBy.MODERATOR)
    logged_in(client, author)

    assert client.post(reverse("forum:comment_remove", args=[mine.pk])).status_code == 404
    mine.refresh_from_db()
    assert mine.removed_by == RemovedBy.MODERATOR


def test_the_remove_link_shows_only_on_ones_own_comments(client):
    post = PostFactory()
    author = verified_user()
    mine = comment(post, body="Mine", author=author)
    theirs = comment(post, body="Theirs", author=verified_user())
    logged_in(client, author)

    page = client.get(post.get_absolute_url()).content.decode()
    assert reverse("forum:comment_remove", args=[mine.pk]) in page
    assert reverse("forum:comment_remove", args=[theirs.pk]) not in page


# --- Query count ---------------------------------------------------------------------------


def test_the_post_page_runs_the_same_number_of_queries_for_a_small_and_a_big_thread(
    client, django_assert_max_num_queries
):
    author = verified_user()
    logged_in(client, author)
    small, big = PostFactory(), PostFactory()
    comment(small, body="Alone", author=author)
    for n in range(40):
        parent = comment(big, body=f"Top {n}", author=author if n % 2 else None)
        comment(big, parent, body=f"Reply {n}", author=author)
    comment(big, body="Held", author=author, status=CommentStatus.PENDING)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small_page:
        assert client.get(small.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(len(small_page.captured_queries)):
        assert client.get(big.get_absolute_url()).status_code == 200
