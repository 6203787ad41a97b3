"""Feed readers and crawlers get valid Atom feeds, a sitemap and robots.txt."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET

import feedparser
import pytest
from django.test import Client
from django.utils import timezone

from forum.models import Comment, CommentStatus
from forum.threads import publish, set_status
from tests.factories import PostFactory, comment

pytestmark = pytest.mark.django_db


def parse(client: Client, url: str) -> feedparser.FeedParserDict:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


@pytest.mark.parametrize("url", ["/feeds/posts.atom", "/feeds/posts/default"])
def test_the_posts_feed_lists_published_posts_newest_first(client: Client, url: str):
    PostFactory(date=datetime.date(2015, 2, 17), title="Older")
    newer = PostFactory(date=datetime.date(2015, 2, 18), title="A PO's Musings", body="Text & more")
    PostFactory(date=datetime.date(2015, 2, 19), title="Draft", is_published=False)

    feed = parse(client, url)

    assert [e.title for e in feed.entries] == ["A PO's Musings", "Older"]
    assert feed.entries[0].link == f"http://testserver{newer.get_absolute_url()}"
    assert "Text &amp; more" in feed.entries[0].summary
    assert feed.entries[0].published_parsed[:3] == (2015, 2, 18)


def test_the_comments_feed_has_only_published_comments_newest_publication_first(
    client: Client,
):
    post = PostFactory(title="A PO's Musings")
    first = comment(post, body="First words")
    second = comment(post, body="Second words")
    held = comment(post, body="Held words", status=CommentStatus.PENDING)
    gone = comment(post, body="Gone words")
    set_status(gone, CommentStatus.REMOVED)
    earlier = timezone.now() - datetime.timedelta(hours=1)
    Comment.objects.filter(pk=second.pk).update(published_at=earlier)
    Comment.objects.filter(pk=first.pk).update(published_at=earlier - datetime.timedelta(hours=1))
    publish(held)

    feed = parse(client, "/feeds/comments.atom")

    bodies = [e.summary for e in feed.entries]
    assert [b for b in bodies if "words" in b] == [
        "<p>Held words</p>",
        "<p>Second words</p>",
        "<p>First words</p>",
    ]
    assert feed.entries[0].link.endswith(f"{post.get_absolute_url()}#c4")
    assert feed.entries[0].author == "Anonymous"
    assert parse(client, "/feeds/comments/default").entries[0].summary == "<p>Held words</p>"


def test_a_posts_comment_feed_has_that_posts_comments_only(client: Client):
    post, other = PostFactory(), PostFactory()
    comment(post, body="On this post")
    comment(other, body="On another post")

    feed = parse(client, f"/feeds/{post.year}/{post.month:02d}/{post.slug}/comments.atom")

    assert [e.summary for e in feed.entries] == ["<p>On this post</p>"]
    assert post.title in feed.feed.title


def test_a_missing_posts_comment_feed_is_a_404(client: Client):
    assert client.get("/feeds/2015/02/nothing/comments.atom").status_code == 404
    assert client.get("/feeds/2015/xx/nothing/comments.atom").status_code == 404


def test_the_sitemap_index_leads_to_every_published_post(client: Client):
    shown = PostFactory(date=datetime.date(2015, 2, 18), title="A PO's Musings")
    PostFactory(is_published=False, title="Draft")

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    index = ET.fromstring(client.get("/sitemap.xml").content)
    sections = [loc.text for loc in index.findall("s:sitemap/s:loc", ns)]
    assert sections == ["http://testserver/sitemap-posts.xml"]
    root = ET.fromstring(client.get(sections[0]).content)

    locations = [loc.text for loc in root.findall("s:url/s:loc", ns)]
    assert locations == [f"http://testserver{shown.get_absolute_url()}"]
    assert root.find("s:url/s:lastmod", ns) is not None


def test_pages_advertise_the_feeds(client: Client):
    post = PostFactory()

    page = client.get(post.get_absolute_url()).content.decode()

    assert 'type="application/atom+xml"' in page
    assert f"/feeds/{post.year}/{post.month:02d}/{post.slug}/comments.atom" in page
