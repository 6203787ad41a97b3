"""What an attacker tries against the comment forms: forged requests, markup and script
in comments, other people's comments, and pages behind the login."""

import pytest
from django.test import Client
from django.urls import reverse

from forum.models import Comment, CommentStatus

from .factories import PostFactory, comment, moderator, verified_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def csrf_client():
    """A browser that really checks CSRF tokens (Django's test client skips them by default)."""
    return Client(enforce_csrf_checks=True)


def form_posts(post, own_comment):
    """Every form that changes something, with data that would otherwise be accepted."""
    return [
        (reverse("forum:comment_create", args=[post.pk]), {"body": "Hi", "anonymous": "on"}),
        (reverse("forum:comment_remove", args=[own_comment.pk]), {}),
        (reverse("accounts:profile"), {"display_name": "Someone"}),
        (reverse("account_logout"), {}),
        (reverse("account_change_password"), {"oldpassword": "x", "password1": "y"}),
        (reverse("account_email"), {"email": "new@example.org", "action_add": ""}),
    ]


def test_every_form_refuses_a_post_without_a_csrf_token(csrf_client):
    post = PostFactory()
    reader = verified_user()
    mine = comment(post, body="Mine", author=reader)
    csrf_client.force_login(reader)

    for url, data in form_posts(post, mine):
        assert csrf_client.post(url, data).status_code == 403, url
    mine.refresh_from_db()
    assert mine.status == CommentStatus.PUBLISHED
    assert Comment.objects.comments().count() == 1


@pytest.mark.parametrize("name", ["account_login", "account_signup", "account_reset_password"])
def test_the_logged_out_forms_refuse_a_post_without_a_csrf_token(csrf_client, name):
    data = {"login": "a@example.org", "email": "a@example.org", "password": "x"}
    assert csrf_client.post(reverse(name), data).status_code == 403


def test_a_post_with_the_pages_csrf_token_goes_through(csrf_client):
    post = PostFactory()
    csrf_client.force_login(moderator())
    csrf_client.get(post.get_absolute_url())
    token = csrf_client.cookies["csrftoken"].value

    response = csrf_client.post(
        reverse("forum:comment_create", args=[post.pk]),
        {"body": "With a token.", "anonymous": "on", "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert Comment.objects.filter(body="With a token.").exists()


def test_script_and_javascript_links_in_a_comment_come_back_inert(client):
    post = PostFactory()
    client.force_login(moderator())
    body = (
        '<script>alert("x")</script> <img src=x onerror=alert(1)>\n\n'
        'javascript:alert(document.cookie) <a href="javascript:alert(2)">click</a>'
    )
    client.post(reverse("forum:comment_create", args=[post.pk]), {"body": body, "anonymous": "on"})

    page = client.get(post.get_absolute_url()).content.decode()
    thread = page[page.index('id="comments"') :]
    assert "<script>alert" not in thread and "&lt;script&gt;alert" in thread
    assert "<img" not in thread and "&lt;img src=x onerror=alert(1)&gt;" in thread
    assert '<a href="javascript:' not in thread and "&lt;a href=" in thread
    assert "javascript:alert(document.cookie)" in thread  # shown as text, not as a link


def test_a_link_in_a_comment_is_marked_nofollow_ugc(client):
    post = PostFactory()
    client.force_login(moderator())
    client.post(
        reverse("forum:comment_create", args=[post.pk]),
        {"body": "See https://www.gov.uk/probation", "anonymous": "on"},
    )
    page = client.get(post.get_absolute_url()).content.decode()
    assert 'href="https://www.gov.uk/probation" rel="nofollow ugc noopener"' in page


def test_a_reader_cannot_remove_someone_elses_comment(client):
    post = PostFactory()
    theirs = comment(post, body="Not yours", author=verified_user())
    client.force_login(verified_user())

    assert client.get(reverse("forum:comment_remove", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("forum:comment_remove", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == CommentStatus.PUBLISHED


def test_a_reader_cannot_see_or_reach_someone_elses_pending_comment(client):
    post = PostFactory()
    author = verified_user()
    pending = comment(post, body="Secret until approved", author=author, status="pending")
    snoop = verified_user()
    client.force_login(snoop)

    assert "Secret until approved" not in client.get(post.get_absolute_url()).content.decode()
    assert "Secret until approved" not in client.get(reverse("accounts:profile")).content.decode()
    reply_page = client.get(
        reverse("forum:comment_create", args=[post.pk]), {"parent": pending.pk}
    ).content.decode()
    assert "Secret until approved" not in reply_page
    assert client.get(reverse("forum:comment_remove", args=[pending.pk])).status_code == 404


@pytest.mark.parametrize("method", ["get", "post"])
def test_logged_out_visitors_get_the_login_page(client, method):
    post = PostFactory()
    target = comment(post, body="Anything")
    for url in (
        reverse("forum:comment_create", args=[post.pk]),
        reverse("forum:comment_remove", args=[target.pk]),
        reverse("accounts:profile"),
    ):
        response = getattr(client, method)(url, {"body": "Drive-by"} if method == "post" else {})
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login") + "?next="), url
    assert not Comment.objects.filter(body="Drive-by").exists()


def test_commenting_on_an_unpublished_post_is_not_found(client):
    draft = PostFactory(is_published=False)
    client.force_login(moderator())
    response = client.post(
        reverse("forum:comment_create", args=[draft.pk]), {"body": "Hi", "anonymous": "on"}
    )
    assert response.status_code == 404


def test_markup_in_a_display_name_is_shown_as_text(client):
    post = PostFactory()
    reader = verified_user(display_name="")
    client.force_login(reader)
    client.post(reverse("accounts:profile"), {"display_name": "<b onmouseover=alert(1)>Bold</b>"})
    reader.refresh_from_db()
    comment(post, body="Signed.", author=reader, display_name=reader.display_name)

    page = client.get(post.get_absolute_url()).content.decode()

    assert "<b onmouseover" not in page
    assert "&lt;b onmouseover=alert(1)&gt;Bold&lt;/b&gt;" in page
