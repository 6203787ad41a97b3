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
from typing import TYPE_CHECKING, TypedDict

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from moderation.queue import decisions, flagged_in, held_label

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
)
STATUS = THREAD_FIELDS.index("status")
ThreadRow = tuple[int, int, int | None, str, str, str, str, str, int | None, str, str, str]

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
    real_author: str  # account behind a renamed comment, for moderators only
    real_author_email: str
    held: str  # for a moderator, why a comment has decision buttons ("" without them)
    decide_url: SafeString  # a moderator's decision form's action ("" for anyone else)
    decisions: tuple[tuple[str, str], ...]  # its buttons: (action, label)


def thread_rows(
    post: Post, user: User | AnonymousUser, *, everything: bool = False
) -> list[ThreadRow]:
    """The reader's thread of `post` as plain rows, in reading order: one query; with
    `everything` (a moderator's), every comment in every status."""
    comments = Comment.objects.thread(post, user, everything=everything)
    return list(comments.values_list(*THREAD_FIELDS))


def published_count(rows: list[ThreadRow]) -> int:
    return sum(1 for row in rows if row[STATUS] == CommentStatus.PUBLISHED)


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
    may, reply_base, moderating = reader.may, reader.reply_base, reader.moderating
    flagged = reader.flagged
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
        held = moderating and not public
        shown = awaiting or public or held
        # Buttons on what waits for a decision or may be undone, not on every public
        # comment: at 1,000 comments they doubled the page (1.2 to 2.1 MB, 87 to 156 ms).
        decide = held or pk in flagged
        # The account behind a comment posted under another name, for moderators only.
        renamed = author_id is not None and name != account_name and may.see_authors
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
                anchor=escape(comment_anchor(raw_path, pk)),
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
                real_author=username if renamed else "",
                real_author_email=email if renamed else "",
                held=held_label(status, removed_by, awaiting=awaiting) if decide else "",
                decide_url=reader.decide_url(pk) if decide else nothing,
                decisions=decisions(status, removed_by) if decide else (),
            )
        )
        depth = new_depth
    tail = SafeString(NEXT_SIBLING + CLOSE_REPLIES * depth) if nodes else nothing
    return nodes, tail
