"""What readers type becomes a safe query for each engine (no database needed)."""

import pytest

from search.query import (
    MAX_GROUPS,
    MAX_PHRASE_WORDS,
    MAX_PHRASES,
    MAX_QUERY_CHARS,
    MAX_TERMS,
    Cut,
    Term,
    parse,
)


def test_words_are_and_ed_and_quoted_for_both_engines():
    query = parse("Through Gate")
    assert query.groups == ((Term(("through",)), Term(("gate",))),)
    assert query.to_fts5() == '("through" AND "gate")'
    assert query.to_websearch() == '"through" "gate"'


def test_a_quoted_phrase_stays_one_term_and_an_unclosed_quote_runs_to_the_end():
    assert parse('"through the gate" 2017').groups == (
        (Term(("through", "the", "gate")), Term(("2017",))),
    )
    assert parse('"prison staff').groups == ((Term(("prison", "staff")),),)


def test_exclusions_and_or_follow_websearch_precedence():
    query = parse('gate -disaster OR "media release"')
    assert query.to_fts5() == '(("gate") NOT "disaster") OR ("media release")'
    assert query.to_websearch() == '"gate" -"disaster" or "media release"'


@pytest.mark.parametrize("text", ["", "-", "OR", "or or", "-gate", '""', "!!! ???", "\x00"])
def test_nothing_to_search_for_gives_an_empty_query(text):
    assert not parse(text)


def test_operator_looking_text_is_only_ever_quoted_words():
    """FTS5 column filters, prefixes, NEAR and SQL all end up as plain quoted words; a
    token joined by punctuation ("title:x") is searched as the phrase of its words."""
    query = parse("title:x* NEAR(a b) ^c'; DROP TABLE forum_post; --")
    assert query.to_fts5() == (
        '("title x" AND "near a" AND "b" AND "c" AND "drop" AND "table" AND "forum_post")'
    )


def test_control_characters_are_spaces():
    assert parse("prison\x00staff\x1b").groups == ((Term(("prison",)), Term(("staff",))),)


def test_huge_input_is_cut_and_the_reader_is_told():
    query = parse("probation " * 1000)
    assert query.cut == {Cut.CHARS, Cut.TERMS}
    assert len(query.groups[0]) == MAX_TERMS
    assert parse("x" * (MAX_QUERY_CHARS + 1)).cut == {Cut.CHARS}
    assert not parse("probation officers").cut


def test_sixteen_phrases_keep_the_first_few_and_the_words_between_them():
    phrases = " ".join(f'"the {word}"' for word in "abcdefghijklmnop")
    query = parse(f"{phrases} napo")
    assert query.cut == {Cut.PHRASES}
    assert [str(t) for t in query.groups[0]] == ['"the a"', '"the b"', '"the c"', '"the d"', "napo"]
    assert MAX_PHRASES == 4
    # Excluded phrases cost the same and count the same.
    query = parse("probation " + " ".join(f'-"the {word}"' for word in "abcdef"))
    assert sum(t.is_phrase for t in query.groups[0]) == MAX_PHRASES
    assert query.cut == {Cut.PHRASES}


def test_a_long_phrase_keeps_its_first_words():
    query = parse('"' + " ".join(["crc"] * 60) + '" napo')
    assert query.groups == ((Term(("crc",) * MAX_PHRASE_WORDS), Term(("napo",))),)
    assert query.cut == {Cut.PHRASE_WORDS}
    assert not parse('"the probation service is in the hands of"').cut


def test_or_alternatives_past_the_cap_are_left_out():
    query = parse(" OR ".join(f"word{n} staff" for n in range(10)))
    assert len(query.groups) == MAX_GROUPS
    assert query.cut == {Cut.GROUPS}
    assert str(query) == "word0 staff OR word1 staff OR word2 staff OR word3 staff"
    # OR with nothing to join is no alternative.
    assert not parse("OR OR napo OR OR OR crc OR").cut
    assert str(parse("OR OR napo OR OR OR crc OR")) == "napo OR crc"


def test_the_kept_search_reads_as_readers_type_it():
    query = parse('Napo -"chief executive" OR title:x crc')
    assert str(query) == 'napo -"chief executive" OR "title x" crc'
