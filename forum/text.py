"""Plain text to safe HTML: the one renderer for post bodies and comments.

Everything is escaped first, so a comment can never carry markup; URLs become links
marked `nofollow ugc` so the forum lends no search ranking to what readers post.
"""

import re

import nh3
from django.utils.html import escape, urlize

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n+")


def paragraphs(text: str) -> list[str]:
    """Split on blank lines; several blank lines are one break (residue of stripped images)."""
    return [p.strip("\n") for p in _PARAGRAPH_BREAK.split(text.strip("\n")) if p.strip()]


def render_text(text: str) -> str:
    """Render paragraphs as <p>, line breaks as <br>, URLs as links; never trust the input."""
    html = "".join(
        "<p>" + urlize(escape(p), trim_url_limit=60).replace("\n", "<br>") + "</p>"
        for p in paragraphs(text)
    )
    return nh3.clean(
        html,
        tags={"p", "br", "a"},
        attributes={"a": {"href"}},
        link_rel="nofollow ugc noopener",
        url_schemes={"http", "https", "mailto"},
    )


# A sentence ends at . ! ? or … and any closing quotes or brackets, before a space.
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)]*(?=\s)")


def first_sentence(text: str, limit: int = 160) -> str:
    """The first sentence of plain text, on one line and cut at a word within `limit`
    characters: a page's meta description (the template escapes it)."""
    flat = " ".join(text.split())
    end = _SENTENCE_END.search(flat)
    sentence = flat[: end.end()] if end else flat
    if len(sentence) <= limit:
        return sentence
    return sentence[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "\u2026"
