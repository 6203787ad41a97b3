"""The post page's thread: one query of plain rows, walked once into what the template prints.

A thread of 1,000 comments is the site's hottest page, so the work per comment is done
here, once, rather than in the template: each template variable lookup, `{% if %}` or
`{% url %}` saved is 5 to 50 ms per 1,000 comments. Building 1,000 Comment instances
(mptt's bookkeeping, deferred fields) costs about 14 ms, the rows about 2 ms.

The one markup written here is the nesting between comments (`<ol class="replies">`,
`</li>`, `</ol></li>`) and each comment's class. Written by the template instead, from
per-node flags, the same page came out byte for byte the same and cost 4 to 5 ms more
of CPU per 1,000 comments (about 8%; three alternating runs of 60 renders each, best
run 51.0 against 47.1 ms); the comment itself is the template's (`forum/_comment.html`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, TypedDict

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .citations import anchor, back_links, relink
from .models import Comment, CommentStatus, Post, comment_anchor
from .permissions import ThreadPermissions

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

# What the thread shows of each comment and of its author.
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
    "cited_paths",
)
LEVEL = THREAD_FIELDS.index("level")
PATH = THREAD_FIELDS.index("path")
STATUS = THREAD_FIELDS.index("status")
CITES = THREAD_FIELDS.index("cited_paths")
ThreadRow = tuple[int, int, int | None, str, str, str, str, str, int | None, str, str, str, str]

OPEN_REPLIES = mark_safe('<ol class="replies">')
NEXT_SIBLING = mark_safe("</li>")
CLOSE_REPLIES = "</ol></li>"
UNNUMBERED = mark_safe("Comment awaiting moderation")
# Classes of a comment's <article> by what the reader sees of it.
CSS_SHOWN = mark_safe("comment")
CSS_AWAITING = mark_safe("comment comment--pending")
CSS_PLACEHOLDER = mark_safe("comment comment--placeholder")


class ThreadNode(TypedDict):
    """One comment of the flat thread and what the template needs of it, worked out once
    here, so the comment partial only prints these values. Strings the page builds are
    escaped here once (SafeString) so the template does not escape them again on every
    print; the display name and the account stay plain for the template to escape.
    A dict, not an object: the template engine tries `node[key]` before `getattr`, so an
    object costs it a caught TypeError on every lookup (~15 ms per 1,000 comments)."""

    before: SafeString  # markup opening or closing nesting before this comment's <li>
    awaiting: bool  # the reader's own comment, not yet published
    shown: bool  # body shown (published, or the reader's own pending comment)
    body: SafeString  # the stored body_html when shown, else the placeholder text
    label: SafeString  # "12." for a top-level comment, "12.1" for a reply, "" if unnumbered
    name: SafeString  # the accessible name of its toolbar: "Comment 12.1"
    anchor: SafeString
    css_class: SafeString
    pk: SafeString  # as text: an int would go through number formatting on every print
    path: SafeString
    display_name: str
    reply_url: SafeString  # "" where the comment is not open for replies
    remove_url: SafeString  # "" unless the reader may take it back (their own)
    flag_url: SafeString  # "" unless the reader may flag it
    real_author: str  # account behind a renamed comment, for moderators only
    real_author_email: str


def thread_rows(post: Post, user: User | AnonymousUser) -> list[ThreadRow]:
    """The reader's thread of `post` as plain rows, in reading order: one query."""
    return list(Comment.objects.thread(post, user).values_list(*THREAD_FIELDS))


def published_count(rows: list[ThreadRow]) -> int:
    return sum(1 for row in rows if row[STATUS] == CommentStatus.PUBLISHED)


def newest_published(rows: list[ThreadRow]) -> int:
    """The id of the thread's newest published comment (ids grow with time); 0 if none."""
    published = CommentStatus.PUBLISHED
    return max((row[0] for row in rows if row[STATUS] == published), default=0)


def pk_url(name: str) -> Callable[[int], SafeString]:
    """The URL of `name` for any pk from one `reverse()`: a thousand reverses cost ~50 ms."""
    marker = "987654321"
    head, tail = (escape(part) for part in reverse(name, args=[int(marker)]).split(marker))
    return lambda pk: SafeString(f"{head}{pk}{tail}")


class ThreadReader:
    """One reader of one post's thread: what they may do (forum.permissions) and the
    links for it, worked out once per request rather than once per comment."""

    def __init__(self, post: Post, user: User | AnonymousUser) -> None:
        self.may = ThreadPermissions(user, post)
        self.pk = self.may.user_pk
        self.reply_base = escape(reverse("forum:comment_create", args=[post.pk])) + "?parent="
        self.remove_url = pk_url("forum:comment_remove") if self.pk else None
        self.flag_url = pk_url("moderation:flag") if self.pk else None


class ThreadPage(NamedTuple):
    """One page of a long thread: its rows, and where it lies among the pages."""

    rows: list[ThreadRow]
    number: int  # 1-based; 0 when the whole thread is shown
    count: int  # pages in all; 1 when the thread fits one page


def thread_page(rows: list[ThreadRow], page: int | None, size: int) -> ThreadPage:
    """The rows of page `page` (None: all of them): `size` top-level comments each, with
    all their replies, so a reply is always on its parent's page. The rows are read whole
    (one query, about 2 ms for 1,000 comments): the cost of a long thread is rendering it."""
    tops = [i for i, row in enumerate(rows) if row[LEVEL] == 1]
    count = max(1, -(-len(tops) // size))
    if page is None or count == 1:
        return ThreadPage(rows, 0, count)
    page = min(max(page, 1), count)
    start = tops[(page - 1) * size]
    end = tops[page * size] if page * size < len(tops) else len(rows)
    return ThreadPage(rows[start:end], page, count)


def comment_location(comment: Comment) -> str:
    """A comment's URL on the page of its post's thread that holds it: `#c12-1` on the
    first page, `?page=3#c412` further on (one count). Counting top-level comments
    before it, a number or a placeholder each, gives its top-level comment's place."""
    url = comment.post.get_absolute_url()
    top_level = Comment.objects.visible().filter(tree_id=comment.tree_id, level=1)
    before = top_level.filter(lft__lt=comment.lft).count()
    place = before if comment.level == 1 else before - 1
    page = max(place, 0) // settings.FORUM_THREAD_PAGE_SIZE + 1
    return f"{url}?page={page}#{comment.anchor}" if page > 1 else f"{url}#{comment.anchor}"


def citations_of(rows: list[ThreadRow]) -> tuple[dict[str, list[str]], set[str]]:
    """Who cites whom in the thread, from its rows: the published comments citing each
    number, and the numbers a citation may link to (published ones)."""
    cited_by: dict[str, list[str]] = {}
    published = CommentStatus.PUBLISHED
    for row in rows:
        if row[CITES] and row[STATUS] == published:
            for path in row[CITES].split():
                cited_by.setdefault(path, []).append(row[PATH])
    if not cited_by and not any(row[CITES] for row in rows):
        return cited_by, set()
    return cited_by, {row[PATH] for row in rows if row[STATUS] == published}


def thread_nodes(
    rows: list[ThreadRow],
    reader: ThreadReader,
    whole: list[ThreadRow] | None = None,
    comment_url: Callable[[str], str] | None = None,
) -> tuple[list[ThreadNode], SafeString]:
    """Walk the thread's rows (THREAD_FIELDS) in `lft` order and say where nesting opens and
    closes, so the template renders it in one flat loop (no recursion, no query per
    comment), as mptt's `tree_info` filter does; each node carries the reader's links.

    Citations and back-links come from `whole` (the whole thread, when `rows` is one of
    its pages) and are appended to the body, which costs no template lookup per comment;
    a number not on this page links to `comment_url(path)`.

    Returns the nodes and the markup closing what is still open after the last one. A
    reply whose parent the reader cannot see (another reader's pending comment) hangs one
    level under the comment before it rather than breaking the nesting."""
    nodes: list[ThreadNode] = []
    depth = -1
    nothing = SafeString()
    published, pending = CommentStatus.PUBLISHED, CommentStatus.PENDING  # enum lookups are slow
    may, reply_base = reader.may, reader.reply_base
    cited_by, citable = citations_of(rows if whole is None else whole)
    link_to = None
    if comment_url is not None and (cited_by or citable):
        here = {row[PATH] for row in rows}

        def link_to(path: str) -> str:
            return anchor(path) if path in here else comment_url(path)

    for row in rows:
        pk, level, number, raw_path, status, removed_by, body_html, name = row[:8]
        author_id, username, email, account_name, cites = row[8:]
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
        if not shown:
            body = escape(Comment(status=status, removed_by=removed_by).placeholder_text)
        elif cites:
            body = relink(body_html, citable, link_to)
        else:
            body = SafeString(body_html)
        if public and raw_path in cited_by:
            body += back_links(cited_by[raw_path], link_to)
        # The account behind a comment posted under another name, for moderators only.
        renamed = author_id is not None and name != account_name and may.see_authors
        nodes.append(
            ThreadNode(
                before=before,
                awaiting=awaiting,
                shown=shown,
                body=body,
                label=SafeString(f"{path}.") if level == 1 and path else path,
                name=SafeString(f"Comment {path}") if path else UNNUMBERED,
                anchor=escape(comment_anchor(raw_path, pk)),
                css_class=CSS_SHOWN if public else CSS_AWAITING if awaiting else CSS_PLACEHOLDER,
                pk=SafeString(pk),
                path=path,
                display_name=name,
                reply_url=SafeString(f"{reply_base}{pk}") if may.reply(status, level) else nothing,
                remove_url=reader.remove_url(pk) if may.remove(status, author_id) else nothing,
                flag_url=reader.flag_url(pk) if may.flag(status, author_id) else nothing,
                real_author=username if renamed else "",
                real_author_email=email if renamed else "",
            )
        )
        depth = new_depth
    tail = SafeString(NEXT_SIBLING + CLOSE_REPLIES * depth) if nodes else nothing
    return nodes, tail
