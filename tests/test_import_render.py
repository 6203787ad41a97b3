"""The importer's fast renderer gives exactly forum.text.render_text's HTML."""

from pathlib import Path

import pytest

from archive_import.parser import parse_bytes
from archive_import.render import render
from forum.text import render_text

SAMPLE = Path(__file__).resolve().parent.parent / "archive_import" / "sample_archive"

TRICKY = [
    "a \"quoted\" 'word' & <b>bold</b> > < e\u00a0f\tg",
    "  leading spaces\n\n\n  x &amp; &nbsp; &lt; literal entities",
    "na\u00efve \u251c\u00bb mojibake, emoji \U0001f600, \u2028 separator, \u200b zero width",
    "a line\u00a0\n\u00a0\nnbsp-only line between",
    "see http://example.org/x?a=1&b=2 or www.example.com, mail me@example.org",
    "(@CEOLewis) and bbc.co.uk and GOV.UK and ab.ınt and ab.İNT",
    "control \x7f and \x85 and \ufdd0 characters",
    "",
    "\n\n",
]


def sample_texts() -> list[str]:
    texts = []
    for path in sorted(SAMPLE.glob("*.txt")):
        for post in parse_bytes(path.read_bytes(), path.name).posts:
            texts += [post.body, *(c.body for c in post.comments)]
    return texts


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_text_renders_exactly_as_the_sites_renderer(text):
    assert render(text) == render_text(text)


def test_every_text_of_the_sample_archive_renders_exactly_as_the_sites_renderer():
    texts = sample_texts()
    assert len(texts) == 92
    assert [render(t) for t in texts] == [render_text(t) for t in texts]
