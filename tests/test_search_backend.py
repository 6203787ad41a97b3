"""Search backends on the current engine (FTS5 on SQLite, tsvector on PostgreSQL).

Every test runs in both passes of the suite, so both backends answer the same stories.
"""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction

from forum.models import Comment, CommentStatus, Post
from forum.threads import publish, set_status
from search import backends, results
from search.backends import Sort, backend_for
from search.filters import SearchFilterSet
from search.indexing import deferred
from search.models import SearchDocument
from search.query import parse
from search.results import Result, find, shown
from search.scope import Scope, document_key
from tests.factories import PostFactory, comment

pytestmark = pytest.mark.django_db


def found(text: str, sort: str = Sort.RELEVANCE, **filters) -> list[str]:
    """What a reader finds, as labels: 'Post title' or 'Post title #12.1'."""
    filterset = SearchFilterSet(filters, queryset=SearchDocument.objects.all())
    assert filterset.is_valid(), filterset.errors
    hits = backend_for().page(filterset.scope(), parse(text), sort, 0, 50)
    return [label(r) for r in shown(hits)]


def label(result: Result) -> str:
    title, path = result.title, result.comment_path
    return f"{title} #{path}" if path else title


def post(title: str, body: str = "Nothing to see.", day: tuple = (2015, 2, 18)) -> Post:
    return PostFactory(title=title, body=body, date=datetime.date(*day))


def said_that_day(p: Post, body: str) -> Comment:
    """A comment written on its post's day, so dated like the post in search."""
    noon = datetime.datetime.combine(p.date, datetime.time(12), tzinfo=datetime.UTC)
    with time_machine.travel(noon):
        return comment(p, body=body)


def test_a_title_match_ranks_above_a_body_match_and_a_comment():
    in_body = post("Monday news", "The inspection report on Through the Gate came out.")
    post("Inspection day", "Nothing else.")
    comment(in_body, body="I read the inspection report too.")
    assert found("inspection")[0] == "Inspection day"
    assert set(found("inspection")) == {"Inspection day", "Monday news", "Monday news #1"}


def test_more_mentions_rank_higher():
    a = post("A", "Staff morale.")
    b = post("B", "Staff morale.")
    comment(a, body="CRC staff once.")
    comment(b, body="CRC staff, CRC managers, CRC contracts: CRC everything.")
    assert found("CRC") == ["B #1", "A #1"]


def test_english_stemming_finds_other_forms_of_a_word():
    post("Inspections galore", "Inspectors inspected the CRCs.")
    assert found("inspection") == ["Inspections galore"]


def test_a_quoted_phrase_needs_its_words_together_and_in_order():
    p = post("Prisons")
    comment(p, body="Revealed: £56m wasted on getting rid of prison staff")
    comment(p, body="The staff of the prison were rid of nothing")
    assert found('"prison staff"') == ["Prisons #1"]
    assert sorted(found("prison staff")) == ["Prisons #1", "Prisons #2"]


def test_a_quoted_phrase_keeps_its_small_words(paging):
    """'Through' and 'the' are stop words to PostgreSQL's English search, yet a reader who
    quotes "through the gate" means those words, together and in that order."""
    post("Through the Gate starts today", "The resettlement scheme begins.")
    post("Locked out", "The gate was locked through the night.")
    post("Gateway", "Through the gateway, at last.")
    assert found('"through the gate"') == ["Through the Gate starts today"]
    assert listed('"through the gate"') == ["Through the Gate starts today"]
    assert backend_for().facets(Scope(), parse('"through the gate"'), None).total() == 1
    assert found('gate -"through the gate"') == ["Locked out"]
    assert sorted(listed('"through the gate" OR locked')) == [
        "Locked out",
        "Through the Gate starts today",
    ]


def test_an_excluded_word_removes_results():
    p = post("TR")
    comment(p, body="Through the Gate was a disaster")
    comment(p, body="Through the Gate is improving")
    assert found("gate -disaster") == ["TR #2"]
    assert found('gate -"was a disaster"') == ["TR #2"]


def test_an_excluded_phrase_of_stop_words_only_still_removes_results():
    p = post("Doors")
    comment(p, body="We went to the gate")
    comment(p, body="The gate opened")
    assert found('gate -"to the"') == ["Doors #2"]
    assert found('gate -"the gate"') == []


def test_or_finds_either_word():
    p = post("Unions")
    comment(p, body="Napo balloted members")
    comment(p, body="Unison balloted too")
    comment(p, body="Nobody else")
    assert sorted(found("napo OR unison")) == ["Unions #1", "Unions #2"]


def test_filters_by_kind_year_month_dates_and_threads_with_comments():
    old = post("Gate 2014", "gate", day=(2014, 5, 1))
    post("Gate 2015 quiet", "gate", day=(2015, 3, 9))
    new = post("Gate 2015 busy", "gate", day=(2015, 7, 20))
    comment(old, body="the gate again")
    comment(new, body="the gate once more")

    assert sorted(found("gate", kind="comment")) == ["Gate 2014 #1", "Gate 2015 busy #1"]
    assert sorted(found("gate", kind="post", year="2015")) == ["Gate 2015 busy", "Gate 2015 quiet"]
    assert found("gate", year="2015", month="3") == ["Gate 2015 quiet"]
    assert sorted(found("gate", date_from="2015-01-01", date_to="2015-06-30")) == [
        "Gate 2015 quiet"
    ]
    assert sorted(found("gate", kind="post", has_comments="on")) == ["Gate 2014", "Gate 2015 busy"]


def listed(text: str, sort: str = Sort.RELEVANCE, per_page: int = 2, **filters) -> list[str]:
    """Every result, page after page, as the search page lists them."""
    filterset = SearchFilterSet(filters, queryset=SearchDocument.objects.all())
    assert filterset.is_valid(), filterset.errors
    _facets, pages = find(backend_for(), parse(text), sort, filterset)
    starts = range(0, len(pages), per_page)
    return [label(r) for start in starts for r in pages[start : start + per_page]]


@pytest.fixture(params=["keys read out", "spans counted"])
def paging(request, monkeypatch):
    """Both ways to a page: a search with few matches reads their keys out with the
    facets, and pages look those up; one with many counts them per year, and pages
    search again within the years that hold them."""
    if request.param == "spans counted":
        monkeypatch.setattr(type(backend_for()), "few_matches", 0)


def test_sorting_newest_oldest_and_most_commented(paging):
    one = post("One comment", "napo", day=(2013, 1, 1))
    post("No comments", "napo", day=(2016, 1, 1))
    three = post("Three comments", "napo", day=(2014, 1, 1))
    comment(one, body="hello")
    for _ in range(3):
        comment(three, body="hello")
    assert found("napo", Sort.NEWEST) == ["No comments", "Three comments", "One comment"]
    assert found("napo", Sort.OLDEST) == ["One comment", "Three comments", "No comments"]
    assert found("napo", Sort.MOST_COMMENTED) == ["Three comments", "One comment", "No comments"]
    for sort in (Sort.NEWEST, Sort.OLDEST, Sort.MOST_COMMENTED):
        assert listed("napo", sort) == found("napo", sort)


def test_a_huge_match_set_ranks_its_newest_matches_and_pages_through_all(monkeypatch, paging):
    for module in (backends, results):
        monkeypatch.setattr(module, "RANKED_CANDIDATES", 3)
    p = post("Busy")
    bodies = ["gate", "gate gate gate", "gate", "gate gate", "gate", "gate gate gate gate"]
    for body in bodies:
        comment(p, body=f"{body} and some other words here")
    # The three newest (#4, #5, #6) by relevance, then the older ones newest first.
    assert found("gate") == ["Busy #6", "Busy #4", "Busy #5"]
    assert listed("gate") == ["Busy #6", "Busy #4", "Busy #5", "Busy #3", "Busy #2", "Busy #1"]


def test_relevance_pages_through_a_year_whose_newest_matches_alone_are_ranked(monkeypatch):
    for module in (backends, results):
        monkeypatch.setattr(module, "RANKED_CANDIDATES", 2)
    for month in range(1, 7):
        post(f"Gate {month}", "gate", day=(2015, month, 1))
    post("Gate 2014", "gate", day=(2014, 6, 1))
    newest_first = [f"Gate {month}" for month in range(6, 0, -1)]
    for per_page in (1, 2, 4):
        assert listed("gate", per_page=per_page, year="2015") == newest_first
    assert listed("gate", per_page=3) == [*newest_first, "Gate 2014"]

    facets = backend_for().facets(Scope(), parse("gate"), 2015, None, newest=2)
    assert facets.years == {2014: 1, 2015: 6}
    if connection.vendor == "postgresql":
        # Counting read every match's row; the keys that came along are the two
        # newest matches' of 2015, all that ranking needs.
        newest = Post.objects.filter(title__in=["Gate 6", "Gate 5"])
        keys = {document_key(p.date, "post", p.pk) for p in newest}
        assert facets.keys == tuple(sorted(keys))


def test_pages_of_newest_and_oldest_first_run_across_years(paging):
    for year in (2012, 2013, 2015):
        p = post(f"Thread {year}", "nothing", day=(year, 6, 1))
        for n in range(3):
            said_that_day(p, f"gate remark {n}")
    newest = [f"Thread {y} #{n}" for y in (2015, 2013, 2012) for n in (3, 2, 1)]
    for per_page in (1, 2, 4, 9):
        assert listed("gate", Sort.NEWEST, per_page) == newest
        assert listed("gate", Sort.OLDEST, per_page) == newest[::-1]
    assert listed("gate", Sort.NEWEST, 2, year="2013") == newest[3:6]
    assert listed("gate", Sort.NEWEST, 2, date_from="2013-01-01") == newest[:6]


def test_facets_count_matches_by_year_and_by_month_within_a_year():
    for day in [(2014, 5, 1), (2015, 3, 1), (2015, 3, 2), (2015, 7, 1)]:
        said_that_day(post(f"Post {day}", "probation", day=day), "probation too")
    post("Unrelated", "nothing", day=(2016, 1, 1))
    facets = backend_for().facets(Scope(), parse("probation"), 2015)
    assert facets.years == {2014: 2, 2015: 6}
    assert facets.months == {3: 4, 7: 2}
    assert facets.total() == 8
    assert facets.total(2015) == 6
    assert facets.total(2015, 3) == 4
    assert backend_for().facets(Scope(kind="comment"), parse("probation"), None).years == {
        2014: 1,
        2015: 3,
    }


def test_only_published_comments_are_found_before_and_after_moderation():
    p = post("Moderated")
    held = comment(p, body="a pending remark about omnishambles", status=CommentStatus.PENDING)
    shown = comment(p, body="a published remark about omnishambles")
    assert found("omnishambles") == ["Moderated #1"]

    publish(held)
    assert sorted(found("omnishambles")) == ["Moderated #1", "Moderated #2"]

    set_status(shown, CommentStatus.REMOVED)
    assert found("omnishambles") == ["Moderated #2"]
    set_status(held, CommentStatus.SPAM)
    assert found("omnishambles") == []

    # Flags hide a comment with a plain queryset update, as moderation does.
    Comment.objects.filter(pk=shown.pk).update(status=CommentStatus.PUBLISHED)
    assert found("omnishambles") == ["Moderated #1"]
    Comment.objects.filter(pk=shown.pk).update(status=CommentStatus.PENDING)
    assert found("omnishambles") == []


def test_the_index_holds_exactly_the_public_comments():
    shown, hidden_post = post("Shown"), post("Withdrawn")
    kept = [comment(shown, body=f"kept {i}") for i in range(3)]
    comment(shown, body="held", status=CommentStatus.PENDING)
    set_status(kept[0], CommentStatus.SPAM)
    comment(hidden_post, body="on a withdrawn post")
    Post.objects.filter(pk=hidden_post.pk).update(is_published=False)
    indexed = SearchDocument.objects.filter(kind="comment").values_list("comment_id", flat=True)
    public = Comment.objects.public().values_list("pk", flat=True)
    assert sorted(indexed) == sorted(public) == [kept[1].pk, kept[2].pk]


def test_the_thread_comment_count_follows_status_changes():
    p = post("Counted", "counted")
    first = comment(p, body="one")
    comment(p, body="two")
    comment(p, body="held", status=CommentStatus.PENDING)
    count = SearchDocument.objects.filter(kind="post", post=p).values_list("comment_count")
    assert count.get() == (2,)
    set_status(first, CommentStatus.REMOVED)
    assert count.get() == (1,)
    Comment.objects.filter(pk=first.pk).update(status=CommentStatus.PUBLISHED)
    assert count.get() == (2,)


def test_unpublishing_a_post_hides_it_and_its_comments_until_it_returns():
    p = post("Draft", "omnishambles")
    comment(p, body="omnishambles indeed")
    Post.objects.filter(pk=p.pk).update(is_published=False)
    assert found("omnishambles") == []
    Post.objects.filter(pk=p.pk).update(is_published=True)
    assert sorted(found("omnishambles")) == ["Draft", "Draft #1"]


def test_edits_by_any_writer_are_reindexed_at_once():
    p = post("Old title", "old body")
    c = comment(p, body="old comment")
    # An archive comment: dated by its post, so it moves with it.
    Comment.objects.filter(pk=c.pk).update(is_imported=True)
    p.title, p.date = "New title", datetime.date(2019, 9, 9)
    p.save()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE forum_comment SET body = %s WHERE id = %s", ["fresh words", c.pk])
    assert found("title") == ["New title"]
    assert found("old") == ["New title"]
    assert found("fresh", year="2019") == ["New title #1"]
    assert found("comment") == []


def test_deleting_a_post_deletes_its_search_rows():
    p = post("Short lived", "ephemeral")
    comment(p, body="ephemeral too")
    Comment.objects.filter(post=p).delete()
    p.delete()
    assert not SearchDocument.objects.exists()
    assert found("ephemeral") == []


def test_rebuilding_the_index_gives_the_same_answers():
    p = post("Rebuilt", "through the gate")
    comment(p, body="the gate again")
    comment(p, body="the gate, held", status=CommentStatus.PENDING)
    before = sorted(found("gate"))
    SearchDocument.objects.all().delete()
    call_command("rebuild_search_index", verbosity=0)
    assert sorted(found("gate")) == before == ["Rebuilt", "Rebuilt #1"]
    assert SearchDocument.objects.get(kind="post").comment_count == 1


@pytest.mark.parametrize(
    "text",
    [
        '"unbalanced quote',
        "-",
        "OR",
        "gate OR",
        "- - -",
        "a" * 10_000,
        "x' OR 1=1; DROP TABLE forum_comment; --",
        "NEAR(gate prison, 2) title:gate gat* ^gate",
        "(gate AND (prison",
    ],
)
def test_malformed_queries_never_reach_the_engine_as_syntax(text):
    post("Gate", "gate prison")
    query = parse(text)
    if query:
        backend = backend_for()
        backend.page(Scope(), query, Sort.RELEVANCE, 0, 20)
        backend.facets(Scope(), query, 2015)
    assert Post.objects.count() == 1


def test_triggers_dropped_by_a_sqlite_table_rebuild_come_back_after_migrate():
    """SQLite migrations that alter forum_comment rebuild the table without its triggers."""
    from search.indexing import install_triggers_after_migrate

    p = post("Rebuilt table")
    on_table = " ON forum_comment" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER search_comment_insert{on_table}")
    comment(p, body="unindexed words")
    assert found("unindexed") == []

    install_triggers_after_migrate(using=connection.alias)
    comment(p, body="indexed words")
    assert found("indexed") == ["Rebuilt table #2"]


def test_search_keys_follow_dates_and_match_what_the_triggers_compute():
    p = post("Keyed", day=(2015, 2, 18))
    with time_machine.travel(datetime.datetime(2015, 2, 18, 12, tzinfo=datetime.UTC)):
        c = comment(p, body="keyed remark")
    rows = dict(SearchDocument.objects.values_list("kind", "id"))
    assert rows == {
        "post": document_key(datetime.date(2015, 2, 18), "post", p.pk),
        "comment": document_key(datetime.date(2015, 2, 18), "comment", c.pk),
    }
    assert rows["post"] < rows["comment"] < document_key(datetime.date(2015, 2, 19), "post", 1)


def test_a_comment_written_today_on_an_old_post_is_found_under_today():
    """Issue 19: a comment of 6 December 2026 on a 2013 post was dated 23 November 2013,
    so "newest first" and a 2026 filter missed it."""
    old = post("Old thread", "probation", day=(2013, 11, 23))
    post("Last year", "probation", day=(2025, 6, 1))
    with time_machine.travel(datetime.datetime(2026, 12, 6, 21, tzinfo=datetime.UTC)):
        comment(old, body="probation still matters")
    assert found("probation", Sort.NEWEST) == ["Old thread #1", "Last year", "Old thread"]
    assert found("probation", year="2026") == ["Old thread #1"]
    assert found("probation", date_from="2026-12-06", date_to="2026-12-06") == ["Old thread #1"]
    assert found("probation", year="2013") == ["Old thread"]
    filterset = SearchFilterSet({"year": "2026"}, queryset=SearchDocument.objects.all())
    assert filterset.is_valid()
    hit = backend_for().page(filterset.scope(), parse("probation"), Sort.NEWEST, 0, 5)[0]
    assert hit.day == datetime.date(2026, 12, 6)


def test_a_comment_is_dated_by_the_blogs_calendar_day_in_london():
    p = post("Summer", "words", day=(2013, 1, 1))
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time); in winter, the same day.
    with time_machine.travel(datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)):
        summer = comment(p, body="late summer night")
    with time_machine.travel(datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)):
        winter = comment(p, body="late winter night")
    dates = dict(SearchDocument.objects.filter(kind="comment").values_list("comment_id", "date"))
    assert dates == {summer.pk: datetime.date(2026, 7, 1), winter.pk: datetime.date(2026, 12, 31)}


def test_imported_comments_keep_their_posts_date():
    p = post("Imported", "words", day=(2013, 11, 23))
    c = comment(p, body="from the archive")
    Comment.objects.filter(pk=c.pk).update(is_imported=True)
    call_command("rebuild_search_index", verbosity=0)
    assert found("archive", year="2013") == ["Imported #1"]
    assert SearchDocument.objects.get(comment=c).date == datetime.date(2013, 11, 23)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_rebuild_outside_a_transaction_leaves_the_table_vacuumed():
    comment(post("Vacuumed", "fresh rows"), body="fresh comment")
    call_command("rebuild_search_index", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables "
            "WHERE relname = 'search_document'"
        )
        assert cursor.fetchone() == (True,)
    assert sorted(found("fresh")) == ["Vacuumed", "Vacuumed #1"]


def test_writes_inside_a_deferral_are_indexed_in_bulk_at_its_end():
    kept = post("Kept", "steady words")
    comment(kept, body="steady comment")
    with transaction.atomic(), deferred():
        fresh = post("Fresh", "deferred words")
        comment(fresh, body="deferred comment")
        comment(fresh, body="deferred but held", status=CommentStatus.PENDING)
        Comment.objects.filter(post=kept).update(body="steady and edited")
        assert found("deferred") == [], "the triggers only noted the posts"
    assert sorted(found("deferred")) == ["Fresh", "Fresh #1"]
    assert found("edited") == ["Kept #1"]
    indexed = sorted(SearchDocument.objects.values_list("id", "comment_count", "body"))
    call_command("rebuild_search_index", verbosity=0)
    assert sorted(SearchDocument.objects.values_list("id", "comment_count", "body")) == indexed


def test_a_deferral_that_fails_leaves_the_index_as_it_was():
    post("Before", "untouched words")
    with pytest.raises(RuntimeError), transaction.atomic(), deferred():
        post("Doomed", "untouched words")
        raise RuntimeError("the import refused the file")
    assert found("untouched") == ["Before"]
    comment(Post.objects.get(), body="untouched comment")
    assert sorted(found("untouched")) == ["Before", "Before #1"], "triggers index again"


def test_a_comment_removed_after_the_count_is_left_off_the_page(paging):
    p = post("Thread")
    kept = comment(p, body="gate kept")
    gone = comment(p, body="gate removed")
    filterset = SearchFilterSet({}, queryset=SearchDocument.objects.all())
    assert filterset.is_valid()
    _facets, pages = find(backend_for(), parse("gate"), Sort.NEWEST, filterset)
    set_status(gone, CommentStatus.REMOVED)
    assert [label(r) for r in pages[0:20]] == [f"Thread #{kept.path}"]
