"""Parsed posts -> dump text: the parser's inverse, shared by the exporter and the generator.

Pure Python like the parser. Each post is written as a post page (header with the comma,
title, body, then its numbered comments); a removed comment is an empty item (`  7.`),
never a gap, so a removed comment after the last visible one survives the round trip.
"""

from __future__ import annotations

import re

from .parser import ParsedComment, ParsedPost, format_header, join_text, split_lines

# A top-level comment's own line "1. ..." written at 4 spaces would read back as a reply:
# it goes out at 5 spaces, which the parser keeps as text (with one leading space).
_LOOKS_LIKE_ITEM = re.compile(r"[1-9][0-9]*\.(?: |$)")


def _lines(text: str) -> list[str]:
    return split_lines(join_text(split_lines(text.replace("\r\n", "\n").replace("\r", "\n"))))


def format_comment(comment: ParsedComment) -> list[str]:
    """One comment's lines: `  N. text` / `    N. text`, continuations at 4 / 6 spaces."""
    reply = comment.parent_path is not None
    item = ("    " if reply else "  ") + f"{comment.number}."
    if comment.removed:
        return [item]
    first, *rest = _lines(comment.body) or [""]
    out = [f"{item} {first}".rstrip()]
    indent = " " * 6 if reply else " " * 4
    for line in rest:
        if not line:
            out.append("")
        elif not reply and _LOOKS_LIKE_ITEM.match(line):
            out.append(" " + indent + line)
        else:
            out.append(indent + line)
    return out


def format_post(post: ParsedPost) -> str:
    """A post page for `post` with its comments, in the dump format (FORMAT.md)."""
    out = [format_header(post.date), "", post.title, ""]
    body = _lines(post.body)
    if body:
        out += [*body, ""]
    for comment in post.comments:
        out += [*format_comment(comment), ""]
    return "\n".join(out).rstrip("\n") + "\n"
