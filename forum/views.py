"""Reading pages: home, Blogger's year/month archives and post permalinks.

Each page runs a constant number of queries whatever the size of the blog or of a thread:
the archive widget is one GROUP BY, a thread is one query (`forum.thread`), and
previous/next posts come together in one query.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.generic import DetailView, ListView, MonthArchiveView, YearArchiveView

from moderation.forms import DecisionReasonForm, FlagForm
from moderation.identity import history_counts

from .cache import PAGE_NUMBER, cache_anonymous_page
from .models import Comment, Post
from .text import first_sentence
from .thread import (
    ThreadReader,
    comment_location,
    newest_published,
    published_count,
    thread_nodes,
    thread_page,
    thread_rows,
)

POSTS_PER_PAGE = 10
# Blogger's mobile switch and comment links; the post answers them at its canonical URL.
LEGACY_QUERY_KEYS = ("m", "showComment")
# `?comment=12.1`: a comment's link wherever it is, redirected to the page that holds it.
COMMENT_QUERY_KEY = "comment"
# A long thread's pages: a number, or "all".
THREAD_PAGE = rf"{PAGE_NUMBER}|all"
# What each cached page reads of the query string (forum.cache keys on that alone).
cache_paginated_page = cache_anonymous_page(reads={"page": PAGE_NUMBER})
cache_single_page = cache_anonymous_page(reads={})


class PostListMixin:
    """What every list of posts shares: published posts, newest first, with comment counts."""

    model = Post
    date_field = "date"
    allow_future = True  # calendar dates from the blog; "today" is no boundary for them
    paginate_by = POSTS_PER_PAGE
    context_object_name = "posts"

    def get_queryset(self) -> QuerySet[Post]:
        return Post.objects.published().with_comment_count().order_by("-date", "-id")


ON_THIS_DAY = 10


def on_this_day(today: datetime.date) -> QuerySet[Post]:
    """Posts published on this calendar date in earlier years, newest first: a 15-year
    archive that resurfaces itself (issue 19). 29 February comes back in leap years only."""
    earlier = Post.objects.published().filter(
        month=today.month, date__day=today.day, year__lt=today.year
    )
    return earlier.only("title", "slug", "date", "year", "month").order_by("-date")[:ON_THIS_DAY]


@method_decorator(cache_paginated_page, name="dispatch")
class HomeView(PostListMixin, ListView):
    template_name = "forum/home.html"

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        if context["page_obj"].number == 1:
            context["on_this_day"] = on_this_day(timezone.localdate())
        return context


class ArchiveWidgetMixin:
    """Year and month pages lean on the archive widget, which already lists every year and
    month: skip the generic date list and previous/next links (a query each), and tell the
    widget which year to open."""

    def get_date_list(
        self, queryset: QuerySet[Post], date_type: str | None = None, ordering: str = "ASC"
    ) -> list[datetime.date]:
        return []

    def get_next_year(self, date: datetime.date) -> None:
        return None

    get_previous_year = get_next_month = get_previous_month = get_next_year

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["archive_year"] = int(self.get_year())
        return context


@method_decorator(cache_paginated_page, name="dispatch")
class PostYearArchiveView(ArchiveWidgetMixin, PostListMixin, YearArchiveView):
    template_name = "forum/archive_year.html"
    make_object_list = True
    allow_empty = False


@method_decorator(cache_single_page, name="dispatch")
class PostMonthArchiveView(ArchiveWidgetMixin, PostListMixin, MonthArchiveView):
    template_name = "forum/archive_month.html"
    month_format = "%m"
    allow_empty = False
    paginate_by = None  # a month holds a few dozen posts at most: one page

    def get_month(self) -> str:
        """Blogger's months are always two digits: `/2015/2/` is not a page."""
        month = super().get_month()
        if len(month) != 2:
            raise Http404("No such month")
        return month

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["archive_month"] = int(self.get_month())
        return context


@cache_single_page
def archive_index(request: HttpRequest) -> HttpResponse:
    """Every year and month of the blog, for readers without the sidebar (phones)."""
    return render(request, "forum/archive_index.html")


@method_decorator(
    cache_anonymous_page(
        reads={"page": THREAD_PAGE}, uncached=(*LEGACY_QUERY_KEYS, COMMENT_QUERY_KEY)
    ),
    name="dispatch",
)
class PostDetailView(DetailView):
    """A post at Blogger's path `/YYYY/MM/slug.html`, with its thread: whole, or in pages
    of FORUM_THREAD_PAGE_SIZE top-level comments (each with its replies) when longer."""

    template_name = "forum/post_detail.html"
    context_object_name = "post"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.object = self.get_object()
        if COMMENT_QUERY_KEY in request.GET:
            path = request.GET[COMMENT_QUERY_KEY]
            found = Comment.objects.visible().filter(post=self.object, path=path).first()
            return HttpResponseRedirect(self.comment_url(found))
        if any(key in request.GET for key in LEGACY_QUERY_KEYS):
            return HttpResponseRedirect(self.legacy_target(request.GET.get("showComment", "")))
        return self.render_to_response(self.get_context_data(object=self.object))

    def comment_url(self, comment: Comment | None) -> str:
        """The page of this post that holds `comment`, at its anchor (the post's URL when
        there is no such comment)."""
        if comment is None:
            return self.object.get_absolute_url()
        comment.post = self.object
        return comment_location(comment)

    def thread_page_number(self) -> int | None:
        """The page asked for: 1 by default, None for "show all"."""
        asked = self.request.GET.get("page", "1")
        if asked == "all":
            return None
        if not asked.isdigit() or int(asked) < 1:
            raise Http404("No such page")
        return int(asked)

    def get_object(self, queryset=None) -> Post:
        month = self.kwargs["month"]
        if len(month) != 2 or not month.isdigit() or not 1 <= int(month) <= 12:
            raise Http404("No such month")
        try:
            return Post.objects.published().get(
                year=self.kwargs["year"], month=int(month), slug=self.kwargs["slug"]
            )
        except Post.DoesNotExist:
            raise Http404("No such post") from None

    def legacy_target(self, show_comment: str) -> str:
        """The canonical URL; Blogger's `showComment=<ms timestamp>` keeps its comment anchor
        when a visible comment of this post was made at that instant."""
        url = self.object.get_absolute_url()
        if show_comment.isdigit() and len(show_comment) <= 15:
            try:
                at = datetime.datetime.fromtimestamp(int(show_comment) / 1000, tz=datetime.UTC)
            except (OverflowError, OSError, ValueError):
                return url
            found = Comment.objects.visible().filter(post=self.object, created_at=at).first()
            return self.comment_url(found)
        return url

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        post = self.object
        user = self.request.user
        reader = ThreadReader(post, user)
        rows = thread_rows(post, user, everything=reader.moderating)
        asked = self.thread_page_number()
        page = thread_page(rows, asked, settings.FORUM_THREAD_PAGE_SIZE)
        if asked not in (None, 1) and page.number != asked:
            raise Http404("No such page")
        if page.count > 1:
            url = post.get_absolute_url()
            nodes, tail = thread_nodes(
                page.rows, reader, rows, lambda path: f"{url}?comment={path}"
            )
        else:
            nodes, tail = thread_nodes(rows, reader)
        sealed = [node for node in nodes if node["sealed_author_id"]]
        if sealed:  # a moderator's page: the handles' histories, in one query
            histories = history_counts(node["sealed_author_id"] for node in sealed)
            for node in sealed:
                node["history"] = histories[node["sealed_author_id"]]
        if user.is_authenticated:
            # The flag form's CSRF input and reason <select> (from moderation's form),
            # rendered once and printed under every comment the reader may flag.
            context.update(
                flag_csrf_input=csrf_input(self.request),
                flag_reason_select=str(FlagForm(auto_id=False)["reason"]),
            )
        if reader.moderating:
            # The moderator's reason fields, rendered once for every decision form.
            context["decision_reason_fields"] = render_to_string(
                "moderation/_decision_reason.html", {"form": DecisionReasonForm(auto_id=False)}
            )
        context.update(
            moderating=reader.moderating,
            description=first_sentence(post.body) or post.title,
            thread=nodes,
            thread_tail=tail,
            thread_page=page,
            # For static/js/since.js ("new since your last visit"): the comments' ids in
            # page order, and the newest published comment's id in the whole thread.
            thread_pks=",".join(node["pk"] for node in nodes),
            thread_top=newest_published(rows),
            comment_count=published_count(rows),
            archive_year=post.year,
            archive_month=post.month,
            **neighbours(post),
        )
        return context


def neighbours(post: Post) -> dict[str, Post | None]:
    """The previous (older) and next (newer) published posts, in one query."""
    published = Post.objects.published()
    older = published.filter(Q(date__lt=post.date) | Q(date=post.date, pk__lt=post.pk)).order_by(
        "-date", "-id"
    )
    newer = published.filter(Q(date__gt=post.date) | Q(date=post.date, pk__gt=post.pk)).order_by(
        "date", "id"
    )
    both = Post.objects.filter(
        Q(pk__in=older.values("pk")[:1]) | Q(pk__in=newer.values("pk")[:1])
    ).only("title", "slug", "date", "year", "month")
    found = {"previous_post": None, "next_post": None}
    for other in both:
        key = "previous_post" if (other.date, other.pk) < (post.date, post.pk) else "next_post"
        found[key] = other
    return found


home = HomeView.as_view()
year_archive = PostYearArchiveView.as_view()
month_archive = PostMonthArchiveView.as_view()
post_detail = PostDetailView.as_view()


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers and crawlers ask for /favicon.ico whatever a page links: send them to the
    icon's static URL (cache-busted by the manifest in production)."""
    response = HttpResponseRedirect(static("favicon.ico"))
    response["Cache-Control"] = "public, max-age=86400"
    return response


def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers may read everything public; accounts and admin pages are not for them."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /search/",
        f"Sitemap: {request.build_absolute_uri(reverse('forum:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
