"""Reading pages: home, Blogger's year/month archives and post permalinks.

Each page runs a constant number of queries whatever the size of the blog or of a thread:
the archive widget is one GROUP BY, a thread is one query (`Comment.objects.thread`), and
previous/next posts come together in one query.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.generic import DetailView, ListView, MonthArchiveView, YearArchiveView

from moderation.forms import FlagForm
from moderation.rules import is_moderator

from .cache import cache_anonymous_page
from .models import Comment, CommentStatus, Post, comment_anchor

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

POSTS_PER_PAGE = 10
# Blogger's mobile switch and comment links; the post answers them at its canonical URL.
LEGACY_QUERY_KEYS = ("m", "showComment")


class PostListMixin:
    """What every list of posts shares: published posts, newest first, with comment counts."""

    model = Post
    date_field = "date"
    allow_future = True  # calendar dates from the blog; "today" is no boundary for them
    paginate_by = POSTS_PER_PAGE
    context_object_name = "posts"

    def get_queryset(self) -> QuerySet[Post]:
        return Post.objects.published().with_comment_count().order_by("-date", "-id")


@method_decorator(cache_anonymous_page, name="dispatch")
class HomeView(PostListMixin, ListView):
    template_name = "forum/home.html"


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


@method_decorator(cache_anonymous_page, name="dispatch")
class PostYearArchiveView(ArchiveWidgetMixin, PostListMixin, YearArchiveView):
    template_name = "forum/archive_year.html"
    make_object_list = True
    allow_empty = False


@method_decorator(cache_anonymous_page, name="dispatch")
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


@cache_anonymous_page
def archive_index(request: HttpRequest) -> HttpResponse:
    """Every year and month of the blog, for readers without the sidebar (phones)."""
    return render(request, "forum/archive_index.html")


@method_decorator(cache_anonymous_page, name="dispatch")
class PostDetailView(DetailView):
    """A post at Blogger's path `/YYYY/MM/slug.html`, with its whole thread."""

    template_name = "forum/post_detail.html"
    context_object_name = "post"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.object = self.get_object()
        if any(key in request.GET for key in LEGACY_QUERY_KEYS):
            return HttpResponseRedirect(self.legacy_target(request.GET.get("showComment", "")))
        return self.render_to_response(self.get_context_data(object=self.object))

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
            found = (
                Comment.objects.visible()
                .filter(post=self.object, created_at=at)
                .only("path", "pk")
                .first()
            )
            if found is not None:
                return f"{url}#{found.anchor}"
        return url

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        post = self.object
        user = self.request.user
        rows = list(Comment.objects.thread(post, user).values_list(*THREAD_FIELDS))
        nodes, tail = thread_nodes(rows, ThreadReader(post, user))
        if user.is_authenticated:
            # The flag form's CSRF input and reason <select> (from moderation's form),
            # rendered once and printed under every comment the reader may flag.
            context.update(
                flag_csrf_input=csrf_input(self.request),
                flag_reason_select=str(FlagForm(auto_id=False)["reason"]),
            )
        context.update(
            thread=nodes,
            thread_tail=tail,
            comment_count=sum(1 for row in rows if row[STATUS] == CommentStatus.PUBLISHED),
            archive_year=post.year,
            archive_month=post.month,
            **neighbours(post),
        )
        return context


# What the thread shows of each comment and of its author, as plain rows: building 1,000
# Comment instances (mptt's bookkeeping, deferred fields) costs ~14 ms, the rows ~2 ms.
THREAD_FIELDS = (
    "pk",
    "level",
    "number",
    "path",
    "status",
    "removed_by",
    "body_html",
    "display_name",
    "author_id",
    "author__username",
    "author__email",
    "author__display_name",
)
STATUS = THREAD_FIELDS.index("status")
ThreadRow = tuple[int, int, int | None, str, str, str, str, str, int | None, str, str, str]

OPEN_REPLIES = mark_safe('<ol class="replies">')
NEXT_SIBLING = mark_safe("</li>")
CLOSE_REPLIES = "</ol></li>"
# Classes of a comment's <article> by what the reader sees of it.
CSS_SHOWN = mark_safe("comment")
CSS_AWAITING = mark_safe("comment comment--pending")
CSS_PLACEHOLDER = mark_safe("comment comment--placeholder")


class ThreadNode(TypedDict):
    """One comment of the flat thread and what the template needs of it, worked out once
    here: at 1,000 comments every template variable lookup, `{% if %}` or `{% url %}`
    saved is ~5-50 ms, so the comment partial only prints these values. Strings the page
    builds are escaped here once (SafeString) so the template does not escape them again on
    every print; the display name and the account stay plain for the template to escape.
    A dict, not an object: the template engine tries `node[key]` before `getattr`, so an
    object costs it a caught TypeError on every lookup (~15 ms per 1,000 comments)."""

    before: SafeString  # markup opening or closing nesting before this comment's <li>
    awaiting: bool  # the reader's own comment, not yet published
    shown: bool  # body shown (published, or the reader's own pending comment)
    body: SafeString  # the stored body_html when shown, else the placeholder text
    label: SafeString  # "12." for a top-level comment, "12.1" for a reply, "" if unnumbered
    anchor: SafeString
    css_class: SafeString
    pk: SafeString  # as text: an int would go through number formatting on every print
    path: SafeString
    display_name: str
    reply_url: SafeString  # "" where the reader cannot reply
    remove_url: SafeString  # "" unless it is the reader's own published or pending comment
    flag_url: SafeString  # "" unless the reader may flag it (logged in, someone else's, published)
    real_author: str  # account behind a renamed comment, for moderators only
    real_author_email: str


def pk_url(name: str) -> Callable[[int], SafeString]:
    """The URL of `name` for any pk from one `reverse()`: a thousand reverses cost ~50 ms."""
    marker = "987654321"
    head, tail = (escape(part) for part in reverse(name, args=[int(marker)]).split(marker))
    return lambda pk: SafeString(f"{head}{pk}{tail}")


class ThreadReader:
    """What one reader may do in one post's thread, decided once per request rather than
    once per comment in the template."""

    def __init__(self, post: Post, user: User | AnonymousUser) -> None:
        self.user = user
        self.pk = user.pk if user.is_authenticated else None
        reply_page = escape(reverse("forum:comment_create", args=[post.pk]))
        self.reply_base = f"{reply_page}?parent=" if post.comments_open else ""
        self.remove_url = pk_url("forum:comment_remove") if self.pk else None
        self.flag_url = pk_url("moderation:flag") if self.pk else None
        self.max_depth = settings.FORUM_MAX_DEPTH
        self._moderator: bool | None = None

    @property
    def is_moderator(self) -> bool:
        """Asked only when a comment needs it: the permission check may cost queries."""
        if self._moderator is None:
            self._moderator = self.pk is not None and is_moderator(self.user)
        return self._moderator


def thread_nodes(
    rows: list[ThreadRow], reader: ThreadReader
) -> tuple[list[ThreadNode], SafeString]:
    """Walk the thread's rows (THREAD_FIELDS) in `lft` order and say where nesting opens and
    closes, so the template renders it in one flat loop (no recursion, no query per
    comment), as mptt's `tree_info` filter does; each node carries the reader's links.

    Returns the nodes and the markup closing what is still open after the last one. A
    reply whose parent the reader cannot see (another reader's pending comment) hangs one
    level under the comment before it rather than breaking the nesting."""
    nodes: list[ThreadNode] = []
    depth = -1
    nothing = SafeString()
    published, pending = CommentStatus.PUBLISHED, CommentStatus.PENDING  # enum lookups are slow
    reader_pk, reply_base, max_depth = reader.pk, reader.reply_base, reader.max_depth
    for row in rows:
        pk, level, number, raw_path, status, removed_by, body_html, name = row[:8]
        author_id, username, email, account_name = row[8:]
        new_depth = max(0, min(level - 1, depth + 1))
        if not nodes:
            before = nothing
        elif new_depth > depth:
            before = OPEN_REPLIES
        else:
            before = SafeString(NEXT_SIBLING + CLOSE_REPLIES * (depth - new_depth))
        path = escape(raw_path)
        public = status == published
        awaiting = status == pending and number is None
        shown = awaiting or public
        mine = reader_pk is not None and author_id == reader_pk
        # The account behind a comment posted under another name, for moderators only.
        renamed = author_id is not None and name != account_name and reader.is_moderator
        nodes.append(
            ThreadNode(
                before=before,
                awaiting=awaiting,
                shown=shown,
                body=SafeString(body_html)
                if shown
                else escape(Comment(status=status, removed_by=removed_by).placeholder_text),
                label=SafeString(f"{path}.") if level == 1 and path else path,
                anchor=escape(comment_anchor(raw_path, pk)),
                css_class=CSS_SHOWN if public else CSS_AWAITING if awaiting else CSS_PLACEHOLDER,
                pk=SafeString(pk),
                path=path,
                display_name=name,
                reply_url=SafeString(f"{reply_base}{pk}")
                if public and reply_base and level < max_depth
                else nothing,
                remove_url=reader.remove_url(pk)
                if mine and (public or status == pending)
                else nothing,
                flag_url=reader.flag_url(pk) if public and reader_pk and not mine else nothing,
                real_author=username if renamed else "",
                real_author_email=email if renamed else "",
            )
        )
        depth = new_depth
    tail = SafeString(NEXT_SIBLING + CLOSE_REPLIES * depth) if nodes else nothing
    return nodes, tail


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
