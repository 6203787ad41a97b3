"""A reader finds the blog as they knew it: home, archives, permalinks, threads."""

from __future__ import annotations

import datetime
import re
import secrets
from urllib.parse import quote

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from forum.models import CommentStatus, Post, RemovedBy
from forum.threads import set_status
from moderation.groups import moderators_group
from moderation.models import FlagReason
from tests.bulk import bulk_thread
from tests.factories import PostFactory, UserFactory, comment, moderator

pytestmark = pytest.mark.django_db


def musings() -> Post:
    return PostFactory(date=datetime.date(2015, 2, 18), title="A PO's Musings")


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# Home and archives


def test_home_lists_newest_posts_first_with_opening_and_visible_comment_count(client: Client):
    older = PostFactory(date=datetime.date(2014, 5, 1), title="Older news")
    newer = PostFactory(
        date=datetime.date(2015, 3, 1), title="Newer news", body="Opening line.\n\nMore."
    )
    comment(newer)
    comment(newer, status=CommentStatus.PENDING)
    removed = comment(newer)
    set_status(removed, CommentStatus.REMOVED)

    page = html(client.get("/"))

    assert page.index("Newer news") < page.index("Older news")
    assert "Opening line." in page
    assert "1 comment<" in page
    assert older.get_absolute_url() in page


def test_home_paginates_ten_posts_a_page(client: Client):
    for n in range(12):
        PostFactory(date=datetime.date(2015, 1, 1) + datetime.timedelta(days=n), title=f"Day {n}")

    first, second = html(client.get("/")), html(client.get("/?page=2"))

    assert "Day 11" in first and "Day 2<" in first and "Day 1<" not in first
    assert "Day 1<" in second and "Day 0<" in second and "Day 11" not in second
    assert 'rel="next" href="?page=2">Older posts →' in first
    assert 'rel="prev" href="?page=1">← Newer posts' in second


def test_archive_widget_lists_years_and_months_with_post_counts(client: Client):
    PostFactory(date=datetime.date(2015, 2, 18))
    PostFactory(date=datetime.date(2015, 2, 19))
    PostFactory(date=datetime.date(2014, 11, 1))
    PostFactory(date=datetime.date(2014, 11, 2), is_published=False)

    page = html(client.get("/"))
    widget = page[page.index('class="archive-widget"') :]

    assert re.search(r'href="/2015/">2015</a> <span class="count">\(2\)', widget)
    assert re.search(r'href="/2015/02/">February</a> <span class="count">\(2\)', widget)
    assert re.search(r'href="/2014/">2014</a> <span class="count">\(1\)', widget)
    assert re.search(r'href="/2014/11/">November</a> <span class="count">\(1\)', widget)


def test_year_and_month_pages_list_only_their_posts(client: Client):
    feb = PostFactory(date=datetime.date(2015, 2, 18), title="February post")
    PostFactory(date=datetime.date(2015, 3, 2), title="March post")
    PostFactory(date=datetime.date(2014, 2, 2), title="Last year")

    year = html(client.get("/2015/"))
    month = html(client.get("/2015/02/"))

    assert "February post" in year and "March post" in year and "Last year" not in year
    assert "February post" in month and "March post" not in month
    assert "Posts of February 2015" in month
    assert feb.get_absolute_url() in month


@pytest.mark.parametrize(
    "url",
    [
        "/1999/",
        "/2015/13/",
        "/2015/00/",
        "/2015/2/",
        "/2015/ab/",
        "/2015/01/",
        "/99999/01/",
        "/2015/02/no-such-post.html",
        "/2015/13/a-pos-musings.html",
        "/2015/2/a-pos-musings.html",
        "/2016/02/a-pos-musings.html",
        "/99999999999/02/a-pos-musings.html",
    ],
)
def test_a_bad_year_month_or_slug_is_a_404_in_the_sites_style(client: Client, url: str):
    musings()

    response = client.get(url)

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_an_unpublished_post_is_not_found(client: Client):
    post = PostFactory(is_published=False)

    assert client.get(post.get_absolute_url()).status_code == 404


def test_the_archive_page_lists_every_month(client: Client):
    PostFactory(date=datetime.date(2012, 7, 1))

    page = html(client.get(reverse("forum:archive")))

    assert 'href="/2012/07/"' in page


# The post permalink


def test_post_lives_at_bloggers_path_with_prev_and_next_links(client: Client):
    before = PostFactory(date=datetime.date(2015, 2, 17), title="The day before")
    post = musings()
    after = PostFactory(date=datetime.date(2015, 2, 19), title="The day after")

    assert post.get_absolute_url() == "/2015/02/a-pos-musings.html"
    page = html(client.get(post.get_absolute_url()))

    assert "<h1" in page and "A PO&#x27;s Musings" in page
    assert f'rel="prev" href="{before.get_absolute_url()}"' in page
    assert f'rel="next" href="{after.get_absolute_url()}"' in page


def test_the_first_post_has_no_previous_link(client: Client):
    post = musings()

    page = html(client.get(post.get_absolute_url()))

    assert 'rel="prev"' not in page and 'rel="next"' not in page


def test_a_title_clash_in_the_same_month_gets_a_suffix(client: Client):
    first = PostFactory(date=datetime.date(2015, 2, 1), title="Pick of the Week")
    second = PostFactory(date=datetime.date(2015, 2, 8), title="Pick of the Week!")

    assert second.get_absolute_url() == "/2015/02/pick-of-the-week-2.html"
    assert html(client.get(second.get_absolute_url()))
    assert first.get_absolute_url() != second.get_absolute_url()


@pytest.mark.parametrize("query", ["?m=1", "?m=0", "?showComment=1424280000000", "?m=1&foo=2"])
def test_bloggers_mobile_and_comment_links_redirect_to_the_post(client: Client, query: str):
    post = musings()

    response = client.get(post.get_absolute_url() + query)

    assert response.status_code == 302
    assert response["Location"] == post.get_absolute_url()


def test_show_comment_keeps_the_anchor_of_the_comment_made_at_that_instant(client: Client):
    post = musings()
    first = comment(post)
    at = datetime.datetime(2015, 2, 18, 19, 5, 0, tzinfo=datetime.UTC)
    type(first).objects.filter(pk=first.pk).update(created_at=at)

    response = client.get(f"{post.get_absolute_url()}?showComment={int(at.timestamp() * 1000)}")

    assert response["Location"] == f"{post.get_absolute_url()}#c1"


# Threaded comments


def test_a_reader_sees_numbered_threaded_comments_with_permalinks(client: Client):
    post = musings()
    top = comment(post, body="First thoughts. See https://example.org/x")
    comment(post, top, body="A reply <b>bold</b>")

    page = html(client.get(post.get_absolute_url()))

    assert 'id="c1"' in page and '<span class="comment__number">1.</span>' in page
    assert 'id="c1-1"' in page and '<span class="comment__number">1.1</span>' in page
    # Each comment's actions are one toolbar named after it, its permalink last.
    assert 'role="toolbar" aria-label="Comment 1.1"' in page
    assert '<a class="comment__link" href="#c1-1">Link</a>' in page
    assert '<a href="https://example.org/x" rel="nofollow ugc noopener">' in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold" not in page
    assert "Anonymous" in page
    assert page.index('id="c1"') < page.index('<ol class="replies">') < page.index('id="c1-1"')


def test_a_reader_sees_the_removed_comments_replies(client: Client):
    post = musings()
    for n in range(12):
        comment(post, body=f"Words of reader {n + 1}")
    twelve = post.comments.get(path="12")
    comment(post, twelve, body="Media Release")
    comment(post, twelve, body="So thats why theres no evr left for probation")
    set_status(twelve, CommentStatus.REMOVED, RemovedBy.BLOG)

    page = html(client.get(post.get_absolute_url()))
    block = page[page.index('id="c12"') :]

    assert "Words of reader 12" not in page
    assert block.index("This comment has been removed.") < block.index('id="c12-1"')
    assert "Media Release" in block and 'id="c12-2"' in block
    assert ">13 comments</a>" in page  # 11 top-level and 2 replies: the removed one is not counted


def test_placeholders_say_who_removed_the_comment(client: Client):
    post = musings()
    by_author, by_moderator = comment(post), comment(post)
    set_status(by_author, CommentStatus.REMOVED, removed_by=RemovedBy.AUTHOR)
    set_status(by_moderator, CommentStatus.REMOVED, removed_by=RemovedBy.MODERATOR)

    page = html(client.get(post.get_absolute_url()))

    assert "This comment has been removed by the author." in page
    assert "This comment has been removed by a moderator." in page


def test_pending_comments_show_only_to_their_author_marked_awaiting_moderation(client: Client):
    post = musings()
    author, other = UserFactory(), UserFactory()
    comment(
        post,
        body="Held for review",
        status=CommentStatus.PENDING,
        author=author,
        display_name="Kim",
    )

    assert "Held for review" not in html(client.get(post.get_absolute_url()))
    client.force_login(other)
    assert "Held for review" not in html(client.get(post.get_absolute_url()))
    client.force_login(author)
    page = html(client.get(post.get_absolute_url()))
    assert "Held for review" in page and "Awaiting moderation" in page and "Kim" in page


@pytest.mark.parametrize("status", [CommentStatus.SPAM, CommentStatus.REJECTED])
def test_unnumbered_spam_and_rejected_comments_are_shown_to_nobody(client: Client, status: str):
    post = musings()
    author = UserFactory()
    comment(post, body="Buy cheap pills", status=status, author=author)
    client.force_login(author)

    page = html(client.get(post.get_absolute_url()))

    assert "Buy cheap pills" not in page and "0 comments" in page


def test_a_comment_hidden_after_publication_keeps_its_number_as_a_placeholder(client: Client):
    post = musings()
    first, second = comment(post, body="one"), comment(post, body="two")
    set_status(first, CommentStatus.SPAM)

    page = html(client.get(post.get_absolute_url()))

    assert 'id="c1"' in page and ">one<" not in page and ">two<" in page
    assert first.placeholder_text in page
    assert second.anchor == "c2"


# What each reader may do with a comment


def links(page: str, css_class: str) -> list[str]:
    """The hrefs of the page's links with this class, in page order."""
    return re.findall(rf'<a class="{css_class}" href="([^"]+)"', page)


def test_a_reader_replies_from_published_comments_above_the_depth_limit(client: Client, settings):
    settings.FORUM_MAX_DEPTH = 2
    post = musings()
    top = comment(post)
    deepest = comment(post, top)
    removed = comment(post)
    set_status(removed, CommentStatus.REMOVED)

    page = html(client.get(post.get_absolute_url()))

    assert links(page, "comment__reply") == [
        f"{reverse('forum:comment_create', args=[post.pk])}?parent={top.pk}"
    ]
    assert f'data-parent="{top.pk}" data-path="1"' in page
    assert f'data-parent="{deepest.pk}"' not in page and f'data-parent="{removed.pk}"' not in page


def test_nobody_gets_a_reply_link_on_a_closed_post(client: Client):
    post = PostFactory(comments_open=False)
    comment(post)

    assert "comment__reply" not in html(client.get(post.get_absolute_url()))


def test_a_reader_may_remove_only_their_own_published_or_pending_comments(client: Client):
    post = musings()
    author = UserFactory()
    published = comment(post, author=author)
    pending = comment(post, author=author, status=CommentStatus.PENDING)
    removed = comment(post, author=author)
    set_status(removed, CommentStatus.REMOVED, removed_by=RemovedBy.AUTHOR)
    comment(post, author=UserFactory())
    client.force_login(author)

    page = html(client.get(post.get_absolute_url()))

    assert links(page, "comment__remove") == [
        reverse("forum:comment_remove", args=[c.pk]) for c in (published, pending)
    ]


def test_a_logged_in_reader_flags_someone_elses_published_comment_from_the_page(
    client: Client,
):
    post = musings()
    reader = UserFactory()
    theirs = comment(post, author=UserFactory())
    comment(post, author=reader)
    hidden = comment(post)
    set_status(hidden, CommentStatus.REMOVED)

    assert "comment__flag" not in html(client.get(post.get_absolute_url()))
    client.force_login(reader)
    page = html(client.get(post.get_absolute_url()))

    actions = re.findall(r'class="comment__flag">.*?<form method="post" action="([^"]+)">', page)
    assert actions == [reverse("moderation:flag", args=[theirs.pk])]
    form = page[page.index('class="comment__flag"') : page.index("</details>")]
    reasons = re.findall(r'<option value="([^"]+)"', form)
    assert reasons == FlagReason.values and 'name="csrfmiddlewaretoken"' in form
    flagged = client.post(actions[0], {"reason": reasons[1]})
    assert flagged.status_code == 302 and theirs.flags.get().reason == reasons[1]


def test_only_moderators_see_the_handle_behind_an_anonymous_comment_and_never_the_name(
    client: Client,
):
    post = musings()
    kim = UserFactory(username="kim", email="kim@example.org", display_name="Kim")
    comment(post, author=kim, display_name="Anonymous", body="Said quietly")
    comment(post, author=kim, display_name="Kim", body="Said openly")
    group_member = UserFactory()
    group_member.groups.add(moderators_group())
    line = f'<strong class="sealed-author__handle">{kim.handle}</strong>'

    for reader, sees in [
        (None, False),
        (UserFactory(), False),
        (moderator(), True),
        (group_member, True),
    ]:
        if reader:
            client.force_login(reader)
        page = html(client.get(post.get_absolute_url()))
        assert page.count(line) == (1 if sees else 0), reader
        assert "kim@example.org" not in page and ">kim<" not in page
        if sees:
            # beside the anonymous comment only: beside the signed one it would unseal it
            assert page.index("Said quietly") < page.index(line) < page.index("Said openly")
            assert "2 approved, 0 rejected, 0 spam, 0 flags received" in page


# Constant query counts


@pytest.mark.parametrize("top_level,replies", [(0, 0), (5, 1), (250, 3)])
def test_a_post_page_runs_a_constant_number_of_queries(
    client: Client, django_assert_max_num_queries, top_level: int, replies: int
):
    post = musings()
    PostFactory(date=datetime.date(2015, 2, 17))
    written = bulk_thread(post, top_level, replies)
    assert written == top_level * (1 + replies)

    with django_assert_max_num_queries(6):
        page = html(client.get(post.get_absolute_url()))
    with django_assert_max_num_queries(6):
        whole = html(client.get(post.get_absolute_url() + "?page=all"))

    assert whole.count('class="comment-item"') == written
    assert page.count('class="comment-item"') == min(top_level, 200) * (1 + replies)


def test_a_logged_in_readers_post_page_adds_only_the_session_and_user(
    client: Client, django_assert_max_num_queries
):
    post = musings()
    bulk_thread(post, 100, 2)
    client.force_login(UserFactory())

    # the session (read from the database, never the cache), the user, their email and
    # permissions beside the anonymous page's queries
    with django_assert_max_num_queries(9):
        html(client.get(post.get_absolute_url()))


def test_a_moderator_sees_every_anonymous_comments_handle_for_a_constant_few_queries(
    client: Client, django_assert_max_num_queries
):
    post = musings()
    bulk_thread(post, 100, 2)
    kim = UserFactory(display_name="Kim")
    for _ in range(20):
        comment(post, author=kim, display_name="Anonymous")
    member = UserFactory()
    member.groups.add(moderators_group())
    client.force_login(member)

    # the session (read from the database), the user, two permission queries, the
    # handles' histories (moderation.identity.history_counts) in one, the canned reasons
    # of the decision forms and the post's flagged comments (moderation.queue.flagged_in)
    with django_assert_max_num_queries(12):
        page = html(client.get(post.get_absolute_url()))

    assert page.count(f">{kim.handle}</strong>") == 20


@pytest.mark.parametrize("url", ["/", "/2015/", "/2015/02/", "/archive/"])
def test_list_pages_run_a_constant_number_of_queries(
    client: Client, django_assert_max_num_queries, url: str
):
    for n in range(30):
        post = PostFactory(date=datetime.date(2015, 2, 1) + datetime.timedelta(days=n % 27))
        bulk_thread(post, 3)

    with django_assert_max_num_queries(4):
        html(client.get(url))


# Anonymous page cache


def test_anonymous_readers_get_the_cached_page(client: Client, settings):
    settings.FORUM_PAGE_CACHE_SECONDS = 60
    post = musings()

    first = client.get(post.get_absolute_url())
    second = client.get(post.get_absolute_url())

    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_a_new_comment_or_removal_is_seen_at_once_despite_the_cache(client: Client, settings):
    settings.FORUM_PAGE_CACHE_SECONDS = 60
    post = musings()
    client.get(post.get_absolute_url())

    made = comment(post, body="Fresh news")
    assert "Fresh news" in html(client.get(post.get_absolute_url()))
    set_status(made, CommentStatus.REMOVED)
    assert "Fresh news" not in html(client.get(post.get_absolute_url()))


def test_logged_in_readers_are_never_served_from_the_cache(client: Client, settings):
    settings.FORUM_PAGE_CACHE_SECONDS = 60
    post = musings()
    client.get(post.get_absolute_url())
    client.force_login(UserFactory())

    response = client.get(post.get_absolute_url())

    assert "X-Page-Cache" not in response


def test_the_cache_can_be_turned_off(client: Client, settings):
    settings.FORUM_PAGE_CACHE_SECONDS = 0
    client.get("/")

    assert "X-Page-Cache" not in client.get("/")


def cached_pages() -> int:
    """Rendered pages held in this run's cache (LocMemCache or Redis)."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client()
        return sum(1 for _ in client.scan_iter(match=f"{backend.key_prefix}:*:forum:page:*"))
    return sum(":forum:page:" in key for key in backend._cache)


def test_random_query_parameters_reuse_the_rendered_page_and_add_no_entries(
    client: Client, settings
):
    settings.FORUM_PAGE_CACHE_SECONDS = 60
    url = musings().get_absolute_url()
    first = client.get(url)

    again = [client.get(url, {"utm": secrets.token_hex(8), "fbclid": str(n)}) for n in range(2000)]

    assert first["X-Page-Cache"] == "miss"
    assert {response["X-Page-Cache"] for response in again} == {"hit"}
    assert {response.content for response in again} == {first.content}
    assert cached_pages() == 1


def test_a_page_number_keys_its_own_page_and_no_other_spelling_adds_one(client: Client, settings):
    settings.FORUM_PAGE_CACHE_SECONDS = 60
    for n in range(12):
        PostFactory(date=datetime.date(2015, 1, 1) + datetime.timedelta(days=n), title=f"Day {n}")

    assert client.get("/")["X-Page-Cache"] == "miss"
    assert client.get("/?page=2")["X-Page-Cache"] == "miss"
    assert client.get("/?utm=x&page=2")["X-Page-Cache"] == "hit"
    for spelling in ("02", " 2", "2_0", "last", ""):
        response = client.get("/", {"page": spelling})  # rendered, never kept
        assert response.status_code in (200, 404) and "X-Page-Cache" not in response
    assert "X-Page-Cache" not in client.get("/?page=2&page=1")

    assert cached_pages() == 2


def test_blogger_links_redirect_even_when_the_post_is_cached(client: Client, settings):
    settings.FORUM_PAGE_CACHE_SECONDS = 60
    post = musings()
    url = post.get_absolute_url()
    client.get(url)

    for query in ({"m": "1"}, {"showComment": "1424250000000"}, {"m": "0", "utm": "x"}):
        response = client.get(url, query)
        assert response.status_code == 302 and response["Location"] == url


def test_a_cached_post_page_never_carries_one_readers_query_to_the_next(client: Client, settings):
    settings.FORUM_PAGE_CACHE_SECONDS = 60
    post = musings()

    page = html(client.get(post.get_absolute_url(), {"utm": "reader-1234"}))

    assert "reader-1234" not in page
    login = f"{reverse('account_login')}?next={quote(post.get_absolute_url())}"
    assert f'href="{login}"' in page


# Page furniture


def test_every_page_has_a_skip_link_landmarks_and_the_sites_stylesheet(client: Client):
    post = musings()

    for url in ("/", "/2015/", "/2015/02/", post.get_absolute_url(), "/archive/"):
        page = html(client.get(url))
        assert 'href="#main"' in page and 'id="main"' in page
        assert "<nav" in page and "<main" in page and "css/site.css" in page
        assert 'lang="en-GB"' in page


def test_headings_come_in_order_on_the_post_page(client: Client):
    post = musings()
    comment(post)

    page = html(client.get(post.get_absolute_url()))
    levels = [int(n) for n in re.findall(r"<h([1-6])", page)]

    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


def test_robots_txt_points_crawlers_at_the_sitemap(client: Client):
    response = client.get("/robots.txt")

    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
    assert "Disallow: /admin/" in response.content.decode()


def test_the_500_page_renders_without_a_request_or_database():
    from django.template.loader import render_to_string

    page = render_to_string("500.html")

    assert "Something went wrong" in page and 'href="#main"' in page
    assert f'href="{reverse("forum:archive")}"' in page


def test_every_page_links_home_archive_search_and_feeds(client: Client):
    page = html(client.get("/"))

    for name in ("forum:home", "forum:archive", "search:search", "forum:feed_posts"):
        assert f'href="{reverse(name)}"' in page
    assert f'href="{reverse("account_login")}"' in page


def test_the_archive_widget_links_each_year_and_month(client: Client):
    musings()

    page = html(client.get("/"))

    assert f'href="{reverse("forum:year_archive", kwargs={"year": 2015})}"' in page
    month = reverse("forum:month_archive", kwargs={"year": 2015, "month": "02"})
    assert f'href="{month}"' in page


def test_a_page_with_a_csrf_token_is_never_shared_between_readers(rf, settings):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpResponse
    from django.middleware.csrf import get_token

    from forum.cache import cache_anonymous_page

    settings.FORUM_PAGE_CACHE_SECONDS = 60
    tokens = []

    @cache_anonymous_page(reads={})
    def form_page(request):
        tokens.append(get_token(request))
        return HttpResponse(tokens[-1])

    for _ in range(2):
        request = rf.get("/form/")
        request.user = AnonymousUser()
        request._messages = CookieStorage(request)
        response = form_page(request)
        assert "X-Page-Cache" not in response

    assert len(tokens) == 2


def test_a_reader_with_a_message_waiting_gets_a_fresh_page_showing_it(client: Client, rf, settings):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage

    settings.FORUM_PAGE_CACHE_SECONDS = 60
    client.get("/")
    storage = CookieStorage(rf.get("/"))
    client.cookies["messages"] = storage._encode([Message(constants.INFO, "You have signed out.")])

    response = client.get("/")

    assert "X-Page-Cache" not in response
    assert "You have signed out." in response.content.decode()


def test_a_page_cached_before_a_change_commits_is_not_served_after_it(
    client: Client, settings, django_capture_on_commit_callbacks
):
    settings.FORUM_PAGE_CACHE_SECONDS = 60
    post = musings()
    with django_capture_on_commit_callbacks(execute=True):
        comment(post, body="Fresh news")
        # a reader racing the commit: the page it renders now is cached under the new key
        client.get(post.get_absolute_url())

    assert client.get(post.get_absolute_url())["X-Page-Cache"] == "miss"


# On this day (issue 19)


def test_the_home_page_resurfaces_posts_of_this_date_in_earlier_years(client: Client):
    PostFactory(date=datetime.date(2013, 12, 7), title="Inspection day, 2013")
    PostFactory(date=datetime.date(2017, 12, 7), title="Inspection day, 2017")
    PostFactory(date=datetime.date(2017, 12, 8), title="The day after")
    PostFactory(date=datetime.date(2016, 12, 7), title="Unpublished", is_published=False)
    PostFactory(date=datetime.date(2026, 12, 7), title="Today's own post")
    for n in range(10):
        PostFactory(date=datetime.date(2026, 11, 1 + n))

    with time_machine.travel(datetime.datetime(2026, 12, 7, 9, tzinfo=datetime.UTC)):
        page = html(client.get("/"))
        second = html(client.get("/?page=2"))

    section = page[page.index("On this day") :]
    assert section.index("Inspection day, 2017") < section.index("Inspection day, 2013")
    for absent in ("The day after", "Unpublished", "Today&#x27;s own post"):
        assert absent not in section
    assert "On this day" not in second
