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

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, TypedDict

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from moderation.queue import decisions, flagged_in, held_label

from .citations import MARKER, anchor, back_links, cited, relink
from .models import ANONYMOUS, Comment, CommentStatus, Post, comment_anchor
from .permissions import ThreadPermissions

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from moderation.identity import History

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
    "author__handle",
)
LEVEL = THREAD_FIELDS.index("level")
PATH = THREAD_FIELDS.index("path")
STATUS = THREAD_FIELDS.index("status")
BODY = THREAD_FIELDS.index("body_html")
ThreadRow = tuple[int, int, int | None, str, str, str, str, str, int | None, str]

# A number path ("12.1", or "" before a comment is numbered) needs no escaping: telling
# so costs 0.3 µs where escape() cost 1.8 µs, twice per comment (path and anchor). That
# pays for citations (issue 19): the 1,000-comment thread's walk, citations included,
# took 5.8 and 4.4 ms against 7.0 and 5.6 ms before them (min of 300 calls, two runs).
number_path = re.compile(r"[0-9.]*").fullmatch
OPEN_REPLIES = mark_safe('<ol class="replies">')
NEXT_SIBLING = mark_safe("</li>")
CLOSE_REPLIES = "</ol></li>"
UNNUMBERED = mark_safe("Comment awaiting moderation")
# Classes of a comment's <article> by what the reader sees of it.
CSS_SHOWN = mark_safe("comment")
CSS_AWAITING = mark_safe("comment comment--pending")
CSS_PLACEHOLDER = mark_safe("comment comment--placeholder")
CSS_HELD = mark_safe("comment comment--held")  # not public, shown to a moderator in place


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
    held: str  # for a moderator, why a comment has decision buttons ("" without them)
    decide_url: SafeString  # a moderator's decision form's action ("" for anyone else)
    decisions: tuple[tuple[str, str], ...]  # its buttons: (action, label)
    # For moderators, beside a comment posted as Anonymous: its author's handle and id
    # (moderation.identity fills in `history`); "" and None for everyone else.
    sealed: str
    sealed_author_id: int | None
    history: History | None


def thread_rows(
    post: Post, user: User | AnonymousUser, *, everything: bool = False
) -> list[ThreadRow]:
    """The reader's thread of `post` as plain rows, in reading order: one query; with
    `everything` (a moderator's), every comment in every status."""
    comments = Comment.objects.thread(post, user, everything=everything)
    return list(comments.values_list(*THREAD_FIELDS))


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
        # A moderator sees every comment in place, with the buttons to decide on it.
        self.moderating = self.pk is not None and self.may.see_authors
        self.decide_url = pk_url("moderation:decide") if self.moderating else None
        # Published comments readers flagged get the buttons too (one query, moderators only).
        self.flagged = flagged_in(post) if self.moderating else frozenset()


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


class Citations(NamedTuple):
    """Who cites whom in a thread, read from its rows' stored HTML."""

    citing: dict[str, list[str]]  # number of a comment that cites -> the numbers it cites
    cited_by: dict[str, list[str]]  # number -> the published comments citing it, in order
    shown: set[str]  # numbers a citation may link to (published comments)


def citations_of(rows: list[ThreadRow]) -> Citations | None:
    """The thread's citations, or None when no comment cites (the usual case: one
    substring test per comment)."""
    citers = [row for row in rows if MARKER in row[BODY]]
    if not citers:
        return None
    published = CommentStatus.PUBLISHED
    citing: dict[str, list[str]] = {}
    cited_by: dict[str, list[str]] = {}
    for row in citers:
        citing[row[PATH]] = paths = cited(row[BODY])
        if row[STATUS] == published:
            for path in paths:
                cited_by.setdefault(path, []).append(row[PATH])
    shown = {row[PATH] for row in rows if row[STATUS] == published}
    return Citations(citing, cited_by, shown)


def link_citations(
    nodes: list[ThreadNode],
    rows: list[ThreadRow],
    whole: list[ThreadRow] | None,
    comment_url: Callable[[str], str] | None,
) -> None:
    """Fix the nodes' bodies for citations, after the main walk so that a thread without
    any costs that walk nothing: a link to a number the reader cannot see goes back to
    plain text, a number on another page links to `comment_url(path)`, and each cited
    published comment lists its back-links. Stored links that stand as they are (every
    target shown, on this page) are left alone."""
    found = citations_of(rows if whole is None else whole)
    if found is None:
        return
    link_to = None
    if comment_url is not None:
        here = {row[PATH] for row in rows}

        def link_to(path: str) -> str:
            return anchor(path) if path in here else comment_url(path)

    wanted = found.citing.keys() | found.cited_by.keys()
    at = {node["path"]: node for node in nodes if node["path"] in wanted}
    for path, targets in found.citing.items():
        node = at.get(path)
        if node is not None and node["shown"]:
            if link_to is not None or not found.shown.issuperset(targets):
                node["body"] = relink(node["body"], found.shown, link_to)
    for path, citers in found.cited_by.items():
        node = at.get(path)
        if node is not None and path in found.shown:
            node["body"] += back_links(citers, link_to)


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
    may, reply_base, moderating = reader.may, reader.reply_base, reader.moderating
    flagged = reader.flagged
    for row in rows:
        pk, level, number, raw_path, status, removed_by, body_html, name = row[:8]
        author_id, handle = row[8:]
        new_depth = max(0, min(level - 1, depth + 1))
        if not nodes:
            before = nothing
        elif new_depth > depth:
            before = OPEN_REPLIES
        else:
            before = SafeString(NEXT_SIBLING + CLOSE_REPLIES * (depth - new_depth))
        if number_path(raw_path):  # every path the forum writes: nothing to escape
            path, anchor_text = SafeString(raw_path), SafeString(comment_anchor(raw_path, pk))
        else:
            path, anchor_text = escape(raw_path), escape(comment_anchor(raw_path, pk))
        public = status == published
        awaiting = status == pending and number is None
        held = moderating and not public
        shown = awaiting or public or held
        # Buttons on what waits for a decision or may be undone, not on every public
        # comment: at 1,000 comments they doubled the page (1.2 to 2.1 MB, 87 to 156 ms).
        decide = held or pk in flagged
        # Who is behind an anonymous comment, as a handle, for moderators only.
        sealed = author_id is not None and name == ANONYMOUS and may.see_authors
        nodes.append(
            ThreadNode(
                before=before,
                awaiting=awaiting,
                shown=shown,
                body=SafeString(body_html)
                if shown
                else escape(Comment(status=status, removed_by=removed_by).placeholder_text),
                label=SafeString(f"{path}.") if level == 1 and path else path,
                name=SafeString(f"Comment {path}") if path else UNNUMBERED,
                anchor=anchor_text,
                css_class=CSS_SHOWN
                if public
                else CSS_HELD
                if held
                else CSS_AWAITING
                if awaiting
                else CSS_PLACEHOLDER,
                pk=SafeString(pk),
                path=path,
                display_name=name,
                reply_url=SafeString(f"{reply_base}{pk}") if may.reply(status, level) else nothing,
                remove_url=reader.remove_url(pk) if may.remove(status, author_id) else nothing,
                flag_url=reader.flag_url(pk) if may.flag(status, author_id) else nothing,
                held=held_label(status, removed_by, awaiting=awaiting) if decide else "",
                decide_url=reader.decide_url(pk) if decide else nothing,
                decisions=decisions(status, removed_by) if decide else (),
                sealed=handle if sealed else "",
                sealed_author_id=author_id if sealed else None,
                history=None,
            )
        )
        depth = new_depth
    link_citations(nodes, rows, whole, comment_url)
    tail = SafeString(NEXT_SIBLING + CLOSE_REPLIES * depth) if nodes else nothing
    return nodes, tail
