"""Readers' search syntax, parsed once and written out safely for each engine.

Readers type PostgreSQL's `websearch` syntax: words, "quoted phrases", -exclusions and OR
(lowest precedence, as in `websearch_to_tsquery`: `a b OR c` is `(a AND b) OR c`). The
parser keeps only word characters of each term, so nothing a reader types can ever
become operator syntax: PostgreSQL gets a normalised websearch string whose every term
is quoted, SQLite's FTS5 gets an expression whose every term is a quoted string.

What one search may ask for is capped, and the reader is told what was kept (`Query.cut`).
The caps come from timing the whole search page on the benchmark's archive (300,000
comments, `tests/benchmarks/bench_search.py`; the README's "Search limits" has the
figures), all with the machine loaded by other work. The costly shapes differ:
- PostgreSQL drops stop words from its index, so a phrase holding one ("the
  probation") is checked against the text of every row its other words match: about
  6 us a row, 0.5 s for "the probation" alone, and one more such pass per phrase (16
  excluded ones took 7 to 14 s, 4 took 1.7 s). OR groups each add their matches to the
  count, which reads every match's row: 16 common words OR-ed read 230,000 of the
  300,000 rows.
- SQLite's FTS5 checks the positions of every word of every phrase, in every
  statement: a phrase costs about 35 ms per common word, a phrase with "the" about
  90 ms (16 such phrases took 1.5 to 3 s, a 60-word phrase 2 to 4 s).
The time budget (`search.budget`) bounds whatever still gets through; these caps keep
the searches people really type whole and inside it, and make the hostile ones cheap
enough that a client's rate of searches bounds its share of the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Long enough for any real question; longer input is cut.
MAX_QUERY_CHARS = 500
# Words and phrases: each is an index lookup (on SQLite a whole posting list). 16 of
# the commonest words took 0.4 to 0.7 s on SQLite, well within the budget, and any
# real question fits: the cap stays where it was.
MAX_TERMS = 16
# Quoted phrases (and words joined by punctuation, "crc-managers"), wanted or excluded:
# the costliest terms on both engines (above). Four keeps any real question whole.
MAX_PHRASES = 4
# Words of one phrase: a quotation to find is a handful of words; each costs a position
# check on SQLite, and a 60-word phrase took seconds.
MAX_PHRASE_WORDS = 8
# Alternatives joined by OR: each adds its matches to the count.
MAX_GROUPS = 4

_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')


class Cut:
    """Which cap left part of a search out (`Query.cut`); the page says what was kept."""

    CHARS = "chars"
    TERMS = "terms"
    PHRASES = "phrases"
    PHRASE_WORDS = "phrase_words"
    GROUPS = "groups"


@dataclass(frozen=True, slots=True)
class Term:
    """One word or phrase (its words, in order); `exclude` for -term."""

    words: tuple[str, ...]
    exclude: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1

    def __str__(self) -> str:
        text = " ".join(self.words)
        return ("-" if self.exclude else "") + (f'"{text}"' if self.is_phrase else text)


@dataclass(frozen=True, slots=True)
class Query:
    """OR of groups; each group ANDs its terms. Groups without a wanted term are dropped.
    `cut` names the caps (`Cut`) that left part of what the reader typed out."""

    groups: tuple[tuple[Term, ...], ...]
    cut: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.groups)

    def __str__(self) -> str:
        """What is searched for, in the syntax readers type: shown when part was cut."""
        return " OR ".join(" ".join(map(str, group)) for group in self.groups)

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
    """Parse what a reader typed; never fails, whatever the input.

    Past a cap the rest is left out: terms and OR groups after the last one kept,
    phrases after the MAX_PHRASES-th (the words between them stay), a phrase's words
    after its MAX_PHRASE_WORDS-th.
    """
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    cut = {Cut.CHARS} if len(text) > MAX_QUERY_CHARS else set()
    text = text[:MAX_QUERY_CHARS]

    groups: list[list[Term]] = [[]]
    terms = phrases = 0
    for match in _TOKEN.finditer(text):
        negated, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None and bare.upper() == "OR":
            if not groups[-1]:
                continue  # "OR OR", or OR first: nothing to join
            if len(groups) == MAX_GROUPS:
                cut.add(Cut.GROUPS)
                break
            groups.append([])
            continue
        if bare is not None:
            negated, phrase = ("-", bare[1:]) if bare.startswith("-") else ("", bare)
        words = tuple(w.lower() for w in _WORD.findall(phrase))
        if not words:
            continue
        if terms == MAX_TERMS:
            cut.add(Cut.TERMS)
            break
        if len(words) > 1:
            if phrases == MAX_PHRASES:
                cut.add(Cut.PHRASES)
                continue
            phrases += 1
            if len(words) > MAX_PHRASE_WORDS:
                cut.add(Cut.PHRASE_WORDS)
                words = words[:MAX_PHRASE_WORDS]
        terms += 1
        groups[-1].append(Term(words, exclude=bool(negated)))
    kept = tuple(tuple(g) for g in groups if any(not t.exclude for t in g))
    return Query(kept, cut=frozenset(cut))
