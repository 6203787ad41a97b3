"""A name beside a comment shows what it is, and a comment's text cannot hide in invisible
characters or fake the search page's highlighting. On SQLite and on PostgreSQL."""

import pytest
from django.urls import reverse

from accounts.forms import INVISIBLE, RESERVED, TAKEN
from accounts.models import User
from accounts.names import skeletons
from forum.forms import EMPTY
from forum.models import Comment

from .factories import PostFactory, comment, verified_user

pytestmark = pytest.mark.django_db

RLO, ZWSP, ZWJ, LRM = "\u202e", "\u200b", "\u200d", "\u200e"


def choose_name(client, reader, name):
    client.force_login(reader)
    return client.post(reverse("accounts:profile"), {"display_name": name})


@pytest.mark.parametrize(
    ("name", "why", "error"),
    [
        (f"{RLO}suomynonA", "right-to-left override showing 'Anonymous'", INVISIBLE),
        (f"Anony{ZWSP}mous", "zero-width space", INVISIBLE),
        (f"Mod{ZWJ}erator", "zero-width joiner", INVISIBLE),
        (f"{LRM}Admin", "left-to-right mark", INVISIBLE),
        ("Anon\u2060ymous", "word joiner", INVISIBLE),
        ("Admin\u3164", "Hangul filler", INVISIBLE),
        ("Mоderator", "Cyrillic о", RESERVED),
        ("Аnоnуmоus", "Cyrillic А, о, у", RESERVED),
        ("ΑΝΟΝΥΜΟUS", "Greek capitals", RESERVED),
        ("Ａｎｏｎｙｍｏｕｓ", "fullwidth letters", RESERVED),
        ("𝐀𝐧𝐨𝐧𝐲𝐦𝐨𝐮𝐬", "mathematical bold", RESERVED),
        ("Anonyrnous", "rn for m", RESERVED),
        ("ANONYMOUS", "capitals", RESERVED),
        ("A n o n y m o u s", "spaced out", RESERVED),
        ("Anonymous.", "trailing full stop", RESERVED),
        ("Anönymous", "an accent", RESERVED),
        ("AdmIn", "capital I for i", RESERVED),
        ("ADMlN", "lower-case L for capital I", RESERVED),
        ("Administrator", "the word itself", RESERVED),
        ("0N PR0BATI0N F0RUM", "the site's name with zeros for O", RESERVED),
    ],
)
def test_a_name_that_hides_or_imitates_is_refused_with_the_reason(client, name, why, error):
    reader = verified_user(display_name="")

    response = choose_name(client, reader, name)

    assert error in response.content.decode(), why
    reader.refresh_from_db()
    assert reader.display_name == ""


@pytest.mark.parametrize(
    "name", ["Jane Smith", "JANE SMITH", "Jаne Smith", "Jane Srnith", "Jane  Smith."]
)
def test_a_name_that_looks_like_another_readers_is_refused(client, name):
    verified_user(display_name="Jane Smith")
    reader = verified_user(display_name="")

    response = choose_name(client, reader, name)

    assert TAKEN in response.content.decode()


def test_fullwidth_letters_are_stored_as_plain_ones(client):
    reader = verified_user(display_name="")

    response = choose_name(client, reader, "Ｔｉｒｅｄ ＰＯ")

    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.display_name == "Tired PO"


def test_ordinary_names_in_any_script_are_accepted(client):
    for name in ("José Núñez", "Ольга", "Siobhán", "Tired PO 2"):
        reader = verified_user(display_name="")
        assert choose_name(client, reader, name).status_code == 302, name
        reader.refresh_from_db()
        assert reader.display_name == name


def test_keeping_ones_own_name_is_not_a_clash_with_oneself(client):
    reader = verified_user(display_name="Old Lag")

    assert choose_name(client, reader, "Old Lag").status_code == 302


def test_the_skeletons_follow_the_name_wherever_it_is_saved():
    reader = verified_user(display_name="First")
    reader.display_name = "Mоderator"
    reader.save(update_fields=["display_name"])

    stored = User.objects.values_list("name_skeleton", "name_skeleton_folded").get(pk=reader.pk)
    assert stored == skeletons("Moderator")


# --- Comment text ------------------------------------------------------------------------


def post_comment(client, post, body):
    return client.post(
        reverse("forum:comment_create", args=[post.pk]), {"body": body, "anonymous": "on"}
    )


@pytest.mark.parametrize(
    "body",
    [ZWSP * 5, f"{ZWSP} {ZWJ}\n{LRM}", "\u2800\u2800", "\u3164", "\ue000\ue001", "\u034f"],
)
def test_a_comment_of_only_invisible_characters_is_empty(client, body):
    post = PostFactory()
    client.force_login(verified_user())

    response = post_comment(client, post, body)

    assert response.status_code == 400 and EMPTY in response.content.decode()
    assert not Comment.objects.comments().exists()


def test_typed_private_use_characters_cannot_become_highlighting(client):
    post = PostFactory()
    reader = verified_user()
    for n in range(3):  # a trusted reader, so the comment is published and searchable
        comment(post, body=f"Approved {n}", author=reader)
    client.force_login(reader)

    post_comment(client, post, "Caseloads \ue000are\ue001 high \U000f0000here.")

    stored = Comment.objects.comments().filter(author=reader).latest("pk")
    assert stored.body == "Caseloads are high here."
    page = client.get(reverse("search:search"), {"q": "caseloads"}).content.decode()
    assert "Caseloads" in page and "<mark>are</mark>" not in page


def test_emoji_joined_by_zero_width_joiners_are_a_comment(client):
    post = PostFactory()
    client.force_login(verified_user())

    response = post_comment(client, post, "👩\u200d👩\u200d👧")

    assert response.status_code == 302
