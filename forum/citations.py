"""Citable numbers: `>>12` or `>>12.1` in a comment written here links to that comment of
the same post, as the blog's readers always wrote ("see 12", "Anon at 20.55").

Worked out once, when a comment's text is saved (`Comment.save`): its stored HTML carries
a link for every cited number that exists in the thread then, marked `data-cite`, so
the post page derives back-links ("cited by 14, 17.2") from the rows it already reads,
with no query, and parses only the few comments that cite. Visibility changes after the
save (a cited comment removed, or restored) are applied when the page is rendered, from
the same rows: a link to a comment the reader cannot see goes back to plain text.
Imported text is never rewritten (`Comment.save` skips it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection

from django.utils.html import escape
from django.utils.safestring import SafeString

# `>>12` or `>>12.1` as render_text escaped it, not inside a word ("a>>12" is not one,
# nor ">>>12") and not followed by more of a word ("12a"); a trailing full stop ends it.
CITATION = re.compile(r"(?<![\w;])&gt;&gt;(\d{1,6}(?:\.\d{1,6}){0,7})(?![\w]|\.\d)")
# What every comment holding a citation link contains, and nothing else does (a reader's
# text is escaped, so it cannot hold a double quote).
MARKER = 'data-cite="'
# A link this module wrote into stored HTML, to find it again at render time.
LINK = re.compile(r'<a class="cite" href="#[^"]*" data-cite="([0-9.]+)">(&gt;&gt;[0-9.]+)</a>')


def link_citations(html: str, existing: Callable[[set[str]], Collection[str]]) -> str:
    """Link the citations in rendered comment HTML to the numbers `existing` confirms
    (given the cited paths, it returns those the thread holds)."""
    wanted = {match.group(1) for match in CITATION.finditer(html)}
    if not wanted:
        return html
    found = set(existing(wanted))
    if not found:
        return html

    def link(match: re.Match) -> str:
        path = match.group(1)
        if path not in found:
            return match.group(0)
        return f'<a class="cite" href="{anchor(path)}" data-cite="{path}">{match.group(0)}</a>'

    return CITATION.sub(link, html)


def anchor(path: str) -> str:
    """'#c12-1' for comment 12.1 (models.comment_anchor, which imports this module)."""
    return "#c" + path.replace(".", "-")


def cited(html: str) -> list[str]:
    """The numbers a comment's stored HTML links to."""
    return [match.group(1) for match in LINK.finditer(html)]


def relink(
    html: str, shown: Collection[str], elsewhere: Callable[[str], str] | None = None
) -> SafeString:
    """Stored HTML as this reader sees it: a link to a comment not in `shown` (removed
    since, or hidden) becomes plain text again; `elsewhere`, when the thread is paged,
    gives each cited comment's URL from this page (its anchor, or another page's)."""

    def fix(match: re.Match) -> str:
        path, text = match.groups()
        if path not in shown:
            return text
        if elsewhere is None:
            return match.group(0)
        return f'<a class="cite" href="{escape(elsewhere(path))}" data-cite="{path}">{text}</a>'

    return SafeString(LINK.sub(fix, html))


def back_links(citers: list[str], anchor_url: Callable[[str], str] | None = None) -> SafeString:
    """'cited by 14, 17.2' under a comment, each number (in reading order) a link to the
    citing comment. Numbers are digits and dots (LINK), so only a URL needs escaping."""
    if anchor_url is None:
        links = ", ".join(f'<a href="{anchor(path)}">{path}</a>' for path in citers)
    else:
        links = ", ".join(f'<a href="{escape(anchor_url(path))}">{path}</a>' for path in citers)
    return SafeString(f'<p class="comment__cited-by">cited by {links}</p>')
