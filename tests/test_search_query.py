"""What readers type becomes a safe query for each engine (no database needed)."""

import pytest

from search.query import MAX_QUERY_CHARS, MAX_TERMS, Term, parse


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
    assert query.truncated
    assert len(query.groups[0]) == MAX_TERMS
    assert parse("x" * (MAX_QUERY_CHARS + 1)).truncated
    assert not parse("probation officers").truncated
