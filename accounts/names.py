"""Display names that show what they are: one normal form, nothing invisible, and a
"skeleton" to tell names apart by how they look rather than by their code points.

A name beside a comment is the only thing readers judge an author by, so "Anonymous"
written with a right-to-left override, "Mоderator" with a Cyrillic о, or "Ａdmin" in
fullwidth letters must not pass for the real thing. The skeleton follows Unicode TR39
(section 4): decompose, map every character to the prototype of its confusable class,
decompose again; the classes come from the Unicode consortium's confusables.txt as
packaged by `confusable-homoglyphs` (no hand-made tables here).
"""

from __future__ import annotations

import unicodedata
from functools import cache

from confusable_homoglyphs import confusables

# Control, format (bidi overrides, zero-width joiners and spaces), private use,
# surrogates, unassigned, and line or paragraph separators: none belongs in a name.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
# Letters that render as nothing (Hangul fillers, the braille blank) and a combining mark
# that joins nothing visible: Unicode lists them as default-ignorable or blank.
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5\u180e")
_LTR_MARK = "\u200e"  # the package wraps right-to-left homoglyphs in these


def invisible(char: str) -> bool:
    """True for a character that shows nothing (or reorders what is around it)."""
    return unicodedata.category(char) in REFUSED_CATEGORIES or char in BLANK_LOOKING


def normalise(name: str) -> str:
    """NFKC (fullwidth and styled letters become plain ones) with runs of spaces made one."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


@cache
def _prototypes() -> dict[str, str]:
    """Each confusable character's prototype: what TR39 maps it to before comparing.

    The package keeps confusables.txt as a graph whose edges join each character to its
    prototype, both ways; as prototypes never map on, every connected part is one
    prototype with the characters that look like it, and any member stands for the part
    (the lowest code point here). A character that looks like a sequence ("m" like "rn")
    maps to that sequence, as in TR39's table. Built once."""
    parent: dict[str, str] = {}

    def find(char: str) -> str:
        while parent.setdefault(char, char) != char:
            parent[char] = parent[parent[char]]
            char = parent[char]
        return char

    sequences: dict[str, str] = {}
    for key, homoglyphs in confusables.confusables_data.items():
        char = key.strip(_LTR_MARK)
        if len(char) != 1:
            continue  # a sequence's own entry: the same pairs, seen from its side
        for homoglyph in homoglyphs:
            other = homoglyph["c"].strip(_LTR_MARK)
            if len(other) == 1:
                a, b = find(char), find(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            elif other:
                sequences[char] = other
    return {char: find(char) for char in parent} | sequences


def _skeleton(text: str) -> str:
    prototypes = _prototypes()
    text = unicodedata.normalize("NFD", text)
    mapped = unicodedata.normalize("NFD", "".join(prototypes.get(c, c) for c in text))
    return "".join(c for c in mapped if c.isalnum() and not unicodedata.combining(c))


def skeletons(name: str) -> tuple[str, str]:
    """How a name looks, as two strings to compare: names sharing either can be mistaken
    for each other. The first is TR39's skeleton as typed ("AIice" reads as "Alice"), the
    second that of the name in lower case ("ADMIN" reads as "admin"); spaces, punctuation
    and accents are left out of both, so "A d m i n." and "Ádmin" read as "Admin"."""
    name = normalise(name)
    return _skeleton(name), _skeleton(name.casefold())
