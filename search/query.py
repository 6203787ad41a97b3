"""Readers' search syntax, parsed once and written out safely for each engine.

Readers type PostgreSQL's `websearch` syntax: words, "quoted phrases", -exclusions and OR
(lowest precedence, as in `websearch_to_tsquery`: `a b OR c` is `(a AND b) OR c`). The
parser keeps only word characters of each term, so nothing a reader types can ever
become operator syntax: PostgreSQL gets a normalised websearch string whose every term
is quoted, SQLite's FTS5 gets an expression whose every term is a quoted string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Long enough for any real question; longer input is cut (and the reader told).
MAX_QUERY_CHARS = 500
# Each term costs an index lookup; more than this is not a search but an essay.
MAX_TERMS = 16

_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True, slots=True)
class Term:
    """One word or phrase (its words, in order); `exclude` for -term."""

    words: tuple[str, ...]
    exclude: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    """OR of groups; each group ANDs its terms. Groups without a wanted term are dropped."""

    groups: tuple[tuple[Term, ...], ...]
    truncated: bool = False

    def __bool__(self) -> bool:
        return bool(self.groups)

    def to_websearch(self) -> str:
        """A websearch_to_tsquery string with every term quoted."""
        return " or ".join(
            " ".join(("-" if t.exclude else "") + '"' + " ".join(t.words) + '"' for t in group)
            for group in self.groups
        )

    def to_fts5(self) -> str:
        """An FTS5 MATCH expression: quoted strings, explicit parentheses, binary NOT."""
        alternatives = []
        for group in self.groups:
            wanted = [_fts5_string(t) for t in group if not t.exclude]
            expression = "(" + " AND ".join(wanted) + ")"
            for term in group:
                if term.exclude:
                    expression = f"({expression} NOT {_fts5_string(term)})"
            alternatives.append(expression)
        return " OR ".join(alternatives)

    @property
    def words(self) -> list[str]:
        return [w for group in self.groups for t in group if not t.exclude for w in t.words]


def _fts5_string(term: Term) -> str:
    # Words hold only \w characters, so no '"' can occur; doubling keeps it safe regardless.
    return '"' + " ".join(term.words).replace('"', '""') + '"'


def parse(text: str) -> Query:
    """Parse what a reader typed; never fails, whatever the input."""
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    truncated = len(text) > MAX_QUERY_CHARS
    text = text[:MAX_QUERY_CHARS]

    groups: list[list[Term]] = [[]]
    count = 0
    for match in _TOKEN.finditer(text):
        negated, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None and bare.upper() == "OR":
            groups.append([])
            continue
        if bare is not None:
            negated, phrase = ("-", bare[1:]) if bare.startswith("-") else ("", bare)
        words = tuple(w.lower() for w in _WORD.findall(phrase))
        if not words:
            continue
        if count == MAX_TERMS:
            truncated = True
            break
        count += 1
        groups[-1].append(Term(words, exclude=bool(negated)))
    kept = tuple(tuple(g) for g in groups if any(not t.exclude for t in g))
    return Query(kept, truncated=truncated)
