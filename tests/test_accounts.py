"""Accounts: sign up with an email address, prove it, log in and out, recover and change
the password or the address, and a profile that shapes how one's comments appear."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.forms import BLOG_NAME, RESERVED, TAKEN
from forum.models import CommentStatus, RemovedBy
from forum.threads import set_status

from .factories import PostFactory, comment, verified_user
from .tasks import delivered

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
NEW_PASSWORD = "probation service 2010"
User = get_user_model()


def sign_up(client, email="officer@example.org", password=PASSWORD, **extra):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": password, "password2": password, **extra},
    )


def link_in(message) -> str:
    """The path of the first link to this site in an email body."""
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def log_in(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_signing_up_sends_a_verification_link_and_nobody_is_logged_in_before_it_is_used(client):
    response = sign_up(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not is_logged_in(client)
    user = User.objects.get(email="officer@example.org")
    assert not EmailAddress.objects.get(user=user).verified
    outbox = delivered()
    assert len(outbox) == 1 and outbox[0].to == ["officer@example.org"]
    assert outbox[0].subject.startswith("[On Probation Forum]")

    assert log_in(client, "officer@example.org").status_code == 302
    assert not is_logged_in(client)  # login is refused until the address is verified


def test_following_the_verification_link_verifies_the_address_and_logs_in(client):
    sign_up(client)
    confirm_url = link_in(delivered()[0])

    page = client.get(confirm_url)
    assert page.status_code == 200 and "officer@example.org" in page.content.decode()
    client.post(confirm_url)

    assert EmailAddress.objects.get(email="officer@example.org").verified
    assert is_logged_in(client)


def test_a_verified_reader_logs_in_by_email_and_logs_out_with_a_post(client):
    verified_user(email="jo@example.org")

    response = log_in(client, "jo@example.org")
    assert response.status_code == 302 and is_logged_in(client)

    client.post(reverse("account_logout"))
    assert not is_logged_in(client)


def test_a_wrong_password_is_refused(client):
    verified_user(email="jo@example.org")
    response = log_in(client, "jo@example.org", "not my password")
    assert response.status_code == 200 and not is_logged_in(client)


def test_a_reader_resets_a_forgotten_password_from_the_emailed_link(client):
    verified_user(email="jo@example.org")

    client.post(reverse("account_reset_password"), {"email": "jo@example.org"})
    outbox = delivered()
    assert len(outbox) == 1
    key_page = client.get(link_in(outbox[0]), follow=True)
    set_password_url = key_page.redirect_chain[-1][0]
    client.post(set_password_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert log_in(client, "jo@example.org", NEW_PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_a_logged_in_reader_changes_their_password(client):
    reader = verified_user(email="jo@example.org")
    client.force_login(reader)

    client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    reader.refresh_from_db()
    assert reader.check_password(NEW_PASSWORD)


def test_a_new_email_address_replaces_the_old_one_once_verified(client):
    reader = verified_user(email="old@example.org")
    client.force_login(reader)

    client.post(reverse("account_email"), {"email": "new@example.org", "action_add": ""})
    reader.refresh_from_db()
    assert reader.email == "old@example.org"  # not until the new address is proven

    confirm_mail = next(m for m in delivered() if m.to == ["new@example.org"])
    client.post(link_in(confirm_mail))

    reader.refresh_from_db()
    assert reader.email == "new@example.org"
    assert list(EmailAddress.objects.filter(user=reader).values_list("email", flat=True)) == [
        "new@example.org"
    ]


def test_sign_up_is_rate_limited_per_address(client):
    codes = [sign_up(client, email=f"bot{n}@example.org").status_code for n in range(6)]
    assert codes[:5] == [302] * 5
    assert codes[5] == 429


def test_repeated_failed_logins_lock_the_account_for_a_while(client):
    verified_user(email="jo@example.org")
    for _ in range(5):
        log_in(client, "jo@example.org", "guess")

    response = log_in(client, "jo@example.org")  # even the right password, for now

    assert not is_logged_in(client)
    assert "Too many failed login attempts" in response.content.decode()


def test_a_sign_up_bot_filling_the_honeypot_gets_no_account(client):
    response = sign_up(client, email="bot@example.org", website="http://spam.example")
    assert not User.objects.filter(email="bot@example.org").exists()
    # Told nothing: the same page as a real sign-up's.
    assert response.url == reverse("account_email_verification_sent")


def test_the_sign_up_honeypot_is_hidden_from_everyone_not_moved_off_screen(client):
    page = client.get(reverse("account_signup")).content.decode()
    row = re.search(
        r"<p hidden>\s*<label for=\"id_website\">Leave this empty:</label>\s*<input [^>]+>", page
    )
    assert row, "the trap's row carries the hidden attribute"
    assert 'autocomplete="off"' in row.group() and 'tabindex="-1"' in row.group()
    assert "99999px" not in page and "nope" not in page


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_account_pages_wear_the_sites_layout_and_stay_out_of_search_engines(client, name):
    page = client.get(reverse(name)).content.decode()
    assert 'class="site-header"' in page and 'name="robots" content="noindex"' in page


# --- Profile --------------------------------------------------------------------------------


def test_the_profile_page_needs_a_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_reader_sets_display_name_anonymous_default_and_reply_mails(client):
    reader = verified_user(display_name="", comment_anonymously=True, notify_replies=False)
    client.force_login(reader)

    response = client.post(
        reverse("accounts:profile"),
        {"display_name": "  Tired   PO  ", "notify_replies": "on"},
    )

    assert response.status_code == 302
    reader.refresh_from_db()
    assert (reader.display_name, reader.comment_anonymously, reader.notify_replies) == (
        "Tired PO",
        False,
        True,
    )


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("anonymous", RESERVED),
        ("Moderator", RESERVED),
        ("TAKEN NAME", TAKEN),
        ("Jim Brown", BLOG_NAME),
    ],
)
def test_a_display_name_cannot_impersonate_anyone(client, name, error):
    verified_user(display_name="Taken Name")
    blog_comment = comment(PostFactory(), body="From 2011", display_name="Jim Brown")
    blog_comment.is_imported, blog_comment.source_file = True, "2011-03.txt"
    blog_comment.save()
    reader = verified_user(display_name="")
    client.force_login(reader)

    response = client.post(reverse("accounts:profile"), {"display_name": name})

    assert response.status_code == 200 and error in response.content.decode()
    reader.refresh_from_db()
    assert reader.display_name == ""


def test_the_profile_lists_the_readers_own_comments_with_their_status(client):
    post = PostFactory(title="Transforming Rehabilitation")
    reader = verified_user()
    comment(post, body="Published one", author=reader)
    comment(post, body="Waiting one", author=reader, status=CommentStatus.PENDING)
    removed = comment(post, body="Taken back", author=reader)
    set_status(removed, CommentStatus.REMOVED, RemovedBy.AUTHOR)
    comment(post, body="Someone else's", author=verified_user())
    client.force_login(reader)

    page = client.get(reverse("accounts:profile")).content.decode()

    assert "Published one" in page and "Waiting one" in page and "Taken back" in page
    assert "Someone else" not in page
    assert "Awaiting moderation" in page and "Removed by the author" in page
    assert "Transforming Rehabilitation" in page


def test_a_reader_with_many_comments_pages_through_them(client, monkeypatch):
    monkeypatch.setattr("accounts.views.COMMENTS_PER_PAGE", 2)
    reader = verified_user()
    post = PostFactory()
    for n in range(3):
        comment(post, body=f"Comment {n}", author=reader)
    client.force_login(reader)

    first = client.get(reverse("accounts:profile")).content.decode()
    second = client.get(reverse("accounts:profile") + "?page=2").content.decode()

    assert 'aria-label="Pages of your comments"' in first and "Page 1 of 2" in first
    assert 'rel="next" href="?page=2">Older comments →' in first and "Newer comments" not in first
    assert 'rel="prev" href="?page=1">← Newer comments' in second and "Older comments" not in second
