"""What a browser or a search engine reads of a page besides its text: the description
and the icon (at /favicon.ico too, cache-busted in production)."""

import re

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from forum.text import first_sentence

from .factories import PostFactory

pytestmark = pytest.mark.django_db


def description(page: str) -> str:
    return re.search(r'<meta name="description" content="([^"]*)">', page).group(1)


def test_a_post_is_described_by_the_first_sentence_of_its_body_escaped(client: Client):
    post = PostFactory(
        body='Is <b>"TR"</b> working? Nobody thinks so.\n\nA second paragraph.',
    )
    page = client.get(post.get_absolute_url()).content.decode()
    assert description(page) == "Is &lt;b&gt;&quot;TR&quot;&lt;/b&gt; working?"


def test_a_post_without_a_body_is_described_by_its_title(client: Client):
    post = PostFactory(title="Silence", body="")
    assert description(client.get(post.get_absolute_url()).content.decode()) == "Silence"


def test_every_other_page_has_the_sites_description(client: Client):
    for url in ("/", "/archive/", "/search/", "/accounts/login/"):
        assert "probation service" in description(client.get(url).content.decode()), url


@pytest.mark.parametrize(
    "text, sentence",
    [
        ("One. Two.", "One."),
        ("Why?\nBecause.", "Why?"),
        ('"Well, I wouldn\'t start from here!" said he.', '"Well, I wouldn\'t start from here!"'),
        ("See https://example.org/a.b for more. Next.", "See https://example.org/a.b for more."),
        ("No full stop", "No full stop"),
        ("word " * 60, ("word " * 31).strip() + "\u2026"),
    ],
)
def test_first_sentence(text, sentence):
    assert first_sentence(text) == sentence
    assert len(first_sentence(text)) <= 160


def test_pages_link_the_icon_and_favicon_ico_leads_to_it(client: Client):
    page = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.ico"
    assert "max-age" in response["Cache-Control"]


def test_production_storage_hashes_the_new_static_files(tmp_path, settings):
    """collectstatic with whitenoise's manifest storage: the icon, the admin's stylesheet
    and the site's script get hashed names, and the pages link those."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    names = {p.name for p in tmp_path.rglob("*")}
    for stem, ext in (("favicon", "ico"), ("favicon", "svg"), ("admin", "css")):
        assert any(re.fullmatch(rf"{stem}\.[0-9a-f]{{12}}\.{ext}", n) for n in names), stem

    with override_settings(DEBUG=False):
        client = Client()
        icon = client.get("/favicon.ico")["Location"]
        page = client.get("/").content.decode()
    assert re.fullmatch(r"/static/favicon\.[0-9a-f]{12}\.ico", icon)
    assert re.search(r'href="/static/favicon\.[0-9a-f]{12}\.svg"', page)
