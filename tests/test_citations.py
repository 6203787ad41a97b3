"""Readers answer a comment by its number, as the blog's readers always did: `>>12` or
`>>12.1` links to that comment, and the cited comment lists who cited it."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from forum.citations import CITATION, cited
from forum.models import Comment, CommentStatus, Post, RemovedBy
from forum.threads import publish, set_status
from tests.factories import PostFactory, comment

pytestmark = pytest.mark.django_db


def musings() -> Post:
    return PostFactory(date=datetime.date(2015, 2, 18), title="A PO's Musings")


def page_of(client: Client, post: Post) -> str:
    response = client.get(post.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def cites(text: str) -> list[str]:
    return [m.group(1) for m in CITATION.finditer(text.replace(">", "&gt;"))]


def test_a_citation_is_two_chevrons_and_a_number_path_not_inside_a_word():
    assert cites(">>12 and >>12.1, also (>>3).") == ["12", "12.1", "3"]
    assert cites("a>>12, >>>12, >>12a, x >>12.") == ["12"]
    assert cites("no citation here: 12.1 >> 4") == []


def test_a_reader_citing_an_existing_comment_links_to_it_and_it_lists_the_back_link(
    client: Client,
):
    post = musings()
    first = comment(post, body="The inspection came out today.")
    reply = comment(post, first, body="Grim reading.")
    comment(post, body=">>1 agreed, and >>1.1 too")

    page = page_of(client, post)

    assert '<a class="cite" href="#c1" data-cite="1">&gt;&gt;1</a> agreed' in page
    assert '<a class="cite" href="#c1-1" data-cite="1.1">&gt;&gt;1.1</a> too' in page
    assert page.count('<p class="comment__cited-by">cited by <a href="#c2">2</a></p>') == 2
    assert cited(Comment.objects.get(path="2").body_html) == ["1", "1.1"]
    assert reply.path == "1.1"


def test_a_number_that_does_not_exist_stays_plain_text(client: Client):
    post = musings()
    comment(post, body="First.")
    comment(post, body="As >>7 said, and >>1x, and a>>1")

    page = page_of(client, post)

    assert "As &gt;&gt;7 said, and &gt;&gt;1x, and a&gt;&gt;1" in page
    assert 'class="cite"' not in page
    assert "cited by" not in page


def test_a_pending_comment_has_no_number_to_cite_and_a_pending_citer_lists_no_back_link(
    client: Client,
):
    post = musings()
    held = comment(post, body="Awaiting.", status=CommentStatus.PENDING)
    comment(post, body="Shown.")
    comment(post, body=">>1 says so", status=CommentStatus.PENDING)

    page = page_of(client, post)

    assert "cited by" not in page  # its citer is not visible yet
    publish(Comment.objects.get(body=">>1 says so"))
    page = page_of(client, post)
    assert '<p class="comment__cited-by">cited by <a href="#c2">2</a></p>' in page
    assert held.number is None


def test_a_citation_of_a_comment_removed_later_goes_back_to_plain_text(client: Client):
    post = musings()
    target = comment(post, body="Something regrettable.")
    comment(post, body=">>1 really?")

    set_status(target, CommentStatus.REMOVED, RemovedBy.MODERATOR)
    page = page_of(client, post)
    assert "&gt;&gt;1 really?" in page
    assert 'class="cite"' not in page
    assert "cited by" not in page  # a placeholder lists no back-links

    publish(target)
    assert 'data-cite="1"' in page_of(client, post)


def test_a_removed_citer_leaves_no_back_link(client: Client):
    post = musings()
    comment(post, body="Fine words.")
    citer = comment(post, body=">>1 yes")

    set_status(citer, CommentStatus.SPAM)

    assert "cited by" not in page_of(client, post)


def test_a_reply_can_cite_and_be_cited(client: Client):
    post = musings()
    top = comment(post, body="Top.")
    comment(post, top, body="Reply.")
    comment(post, top, body=">>1.1 is right")
    comment(post, body=">>1.2 is wrong")

    page = page_of(client, post)

    assert 'data-cite="1.1"' in page and 'data-cite="1.2"' in page
    assert '<p class="comment__cited-by">cited by <a href="#c1-2">1.2</a></p>' in page
    assert '<p class="comment__cited-by">cited by <a href="#c2">2</a></p>' in page


def test_imported_text_is_never_rewritten():
    post = musings()
    comment(post, body="Archive comment one.")
    imported = Comment(post=post, body=">>1 from the archive", is_imported=True)
    imported.insert_at(Comment.objects.get(tree_id=post.pk, level=0), "last-child", save=True)

    imported.refresh_from_db()
    assert imported.body_html == "<p>&gt;&gt;1 from the archive</p>"


def test_citations_of_another_post_are_not_linked(client: Client):
    post = musings()
    other = PostFactory(date=datetime.date(2015, 2, 19), title="Elsewhere")
    comment(other, body="Other thread's first.")
    comment(post, body=">>1 over there")

    assert 'class="cite"' not in page_of(client, post)
