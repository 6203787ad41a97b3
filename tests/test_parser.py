"""The dump parser against FORMAT.md: a fixture string per rule, and the five real files."""

import datetime
import gzip
import os
import subprocess
import sys
import textwrap
import zipfile
from io import BytesIO, StringIO
from pathlib import Path

import pytest

from archive_import.parser import (
    MAX_GAP,
    MAX_WARNINGS,
    DumpFile,
    FileStream,
    Limits,
    parse_bytes,
    parse_text,
)

SAMPLE = Path(__file__).resolve().parent.parent / "archive_import" / "sample_archive"


def real(prefix: str):
    path = next(SAMPLE.glob(f"{prefix}_*.txt"))
    parsed = parse_bytes(path.read_bytes(), path.name)
    assert parsed.error is None
    return parsed


def page(text: str, name: str = "dump.txt"):
    return parse_text(textwrap.dedent(text).lstrip("\n"), name)


def comments(parsed, post=0):
    return {c.path: c for c in parsed.posts[post].comments}


POST = """\
Wednesday, 18 February 2015

A PO's Musings

The musings of a soon to be retired PO.

"""


# --- the five real dumps -------------------------------------------------------------


def test_a_reader_sees_removed_comments_4_and_12_of_file_001_as_placeholders():
    parsed = real("001")
    (post,) = parsed.posts
    assert (post.date, post.title) == (datetime.date(2015, 2, 18), "A PO's Musings")
    top = [c for c in post.comments if c.parent_path is None]
    assert [c.number for c in top] == list(range(1, 20))
    removed = [c.path for c in post.comments if c.removed]
    assert removed == ["4", "12"]
    assert comments(parsed)["4"].body == ""
    assert parsed.warnings == []


def test_replies_of_file_001_at_lines_111_and_151_hang_under_removed_comment_12():
    by_path = comments(real("001"))
    assert by_path["12.1"].line == 111 and by_path["12.1"].body.startswith("Media Release")
    assert by_path["12.2"].line == 151
    assert by_path["12.2"].body == "So thats why theres no evr left for probation"
    assert by_path["12"].removed and by_path["12.1"].parent_path == "12"
    assert by_path["11.2"].body.startswith("There is now a vast gulf")


def test_signatures_and_six_space_lines_stay_comment_text():
    by_path = comments(real("001"))
    assert by_path["9.1"].body.endswith("\n\nAnon ex SPO No 2")
    # 001:118 onwards: a run of blank lines (stripped images) is one paragraph break.
    assert "\n\n\n" not in by_path["12.1"].body
    by_path = comments(real("004"))
    assert by_path["7"].body.endswith("Andrew Hatton")
    reply = by_path["10.4"].body
    assert "\n12. We are not satisfied" in reply and "\n30. The provision" in reply
    assert "10.12" not in by_path and "10.30" not in by_path


def test_slash_numbered_lists_in_file_004_are_text_of_comment_10():
    by_path = comments(real("004"))
    assert "\n1/ Parliamentary HR Cmmt" in by_path["10"].body
    assert [p for p in by_path if p.startswith("10.")] == ["10.1", "10.2", "10.3", "10.4"]
    assert len(by_path) == 34 and not any(c.removed for c in by_path.values())


def test_index_pages_hold_several_posts_newest_first_and_no_comments():
    for prefix, count in (("000", 5), ("002", 5), ("003", 10)):
        parsed = real(prefix)
        assert len(parsed.posts) == count
        assert all(not p.comments for p in parsed.posts)
        dates = [p.date for p in parsed.posts]
        assert dates == sorted(dates, reverse=True)
    assert real("000").posts[0].title == "News From London Napo"


def test_decoy_dates_in_file_002_are_body_text_not_posts():
    posts = real("002").posts
    assert [p.line for p in posts] == [1, 53, 177, 261, 283]
    assert "\n25 February 2016\n" in posts[1].body
    assert "\nFriday, 26 February, 2016\n" in posts[2].body
    # 002:185 "Tagging Back to Square One" is not marked as a post: it stays body text.
    assert "Tagging Back to Square One" in posts[2].body
    assert "na├»ve" in posts[4].body


def test_body_bullets_numbered_lists_and_nbsp_line_ends_are_body_text():
    posts = real("002").posts
    assert "\n  • Evaluate a range" in posts[1].body
    assert not any(line.endswith(("\u00a0", " ")) for p in posts for line in p.body.split("\n"))
    assert "\n1) Why do all the SPO's" in real("001").posts[0].body


# --- headers ------------------------------------------------------------------------


def test_a_header_needs_the_right_weekday_a_blank_a_title_and_a_blank():
    parsed = page(
        """
        Sunday 28 February 2016

        Pick of the Week 2

        Body.

        Friday 28 February 2016

        Not a post: 28 February 2016 was a Sunday.

        Monday 30 February 2016

        Nor this: no such day.

        Saturday, 27 February, 2016

        Nor this: a comma after the month.
        Saturday 27 February 2016
        Nor this: no blank line before the title.
        """
    )
    assert [p.title for p in parsed.posts] == ["Pick of the Week 2"]
    assert "Friday 28 February 2016" in parsed.posts[0].body
    assert [str(w) for w in parsed.warnings] == [
        "dump.txt:7: 'Friday 28 February 2016' is not a real date: kept as body text",
        "dump.txt:11: 'Monday 30 February 2016' is not a real date: kept as body text",
    ]


def test_header_comma_after_the_weekday_is_optional_and_titles_repeat_by_date():
    parsed = page(
        """
        Saturday, 27 February 2016

        Pick of the Week

        One.

        Sunday 28 February 2016

        Pick of the Week

        Two.
        """
    )
    assert [(p.date.day, p.title, p.body) for p in parsed.posts] == [
        (27, "Pick of the Week", "One."),
        (28, "Pick of the Week", "Two."),
    ]


def test_several_blank_lines_in_a_body_are_one_paragraph_break():
    parsed = page(POST + "\n\n\nSecond paragraph.   \nsame paragraph\u00a0\n")
    assert parsed.posts[0].body == (
        "The musings of a soon to be retired PO.\n\nSecond paragraph.\nsame paragraph"
    )


# --- comments -----------------------------------------------------------------------


def test_continuations_lose_exactly_four_or_six_spaces_and_keep_the_rest():
    parsed = page(
        POST
        + "  1. First line\n"
        + "    second line\n"
        + "      indented quote\n"
        + "    1. A reply\n"
        + "      its second line\n"
        + "        indented in the reply\n"
        + "      12. a numbered paragraph, not a comment\n"
    )
    by_path = comments(parsed)
    assert list(by_path) == ["1", "1.1"]
    assert by_path["1"].body == "First line\nsecond line\n  indented quote"
    assert by_path["1.1"].body == (
        "A reply\nits second line\n  indented in the reply\n12. a numbered paragraph, not a comment"
    )


def test_gaps_become_removed_placeholders_at_top_level_and_in_reply_lists():
    parsed = page(POST + "  1. One\n    2. Reply two\n  3. Three\n    1. Reply one\n    4. Four\n")
    by_path = comments(parsed)
    assert [(p, c.removed) for p, c in by_path.items()] == [
        ("1", False), ("1.1", True), ("1.2", False), ("2", True), ("3", False),
        ("3.1", False), ("3.2", True), ("3.3", True), ("3.4", False),
    ]  # fmt: skip
    assert by_path["2"].line == 9  # where the gap showed


def test_nothing_is_invented_after_the_last_visible_number():
    parsed = page(POST + "  1. One\n    1. Reply\n")
    assert list(comments(parsed)) == ["1", "1.1"]


def test_an_empty_item_is_a_removed_comment_even_after_the_last_visible_one():
    parsed = page(POST + "  1. One\n\n  2.\n\n    1. Reply to removed 2\n\n  3.\n")
    by_path = comments(parsed)
    assert [(p, c.removed) for p, c in by_path.items()] == [
        ("1", False), ("2", True), ("2.1", False), ("3", True),
    ]  # fmt: skip


def test_a_restarted_reply_list_hangs_under_the_removed_comment_after_the_last_top_level():
    parsed = page(POST + "  5. Five\n    1. a\n    2. b\n    1. restart\n  7. Seven\n")
    by_path = comments(parsed)
    assert by_path["6"].removed and by_path["6.1"].body == "restart"
    assert [p for p in by_path if not by_path[p].removed] == ["5", "5.1", "5.2", "6.1", "7"]


def test_a_reply_before_any_top_level_comment_hangs_under_removed_comment_1():
    parsed = page(POST + "    1. Orphan reply\n  2. Two\n")
    by_path = comments(parsed)
    assert list(by_path) == ["1", "1.1", "2"] and by_path["1"].removed


def test_the_comment_region_starts_after_the_posts_last_column_0_line():
    parsed = page(
        POST
        + "  1. an indented list in the body\n  • a bullet\nBack at column 0.\n\n  1. Comment\n"
    )
    post = parsed.posts[0]
    assert "  1. an indented list in the body\n  • a bullet\nBack at column 0." in post.body
    assert [c.body for c in post.comments] == ["Comment"]


def test_a_file_may_hold_several_post_pages_each_with_its_comments():
    second = POST.replace("Wednesday, 18", "Thursday, 19").replace("A PO's", "Another")
    parsed = page(POST + "  1. first post's\n\n" + second + "  1. second post's\n  2. more\n")
    assert [len(p.comments) for p in parsed.posts] == [1, 2]
    assert parsed.posts[1].comments[0].body == "second post's"


def test_a_number_out_of_sequence_stays_text_with_a_warning():
    jump = MAX_GAP + 5
    parsed = page(POST + f"  1. One\n  1. One again\n    {jump}. a year, say\n")
    assert [c.path for c in parsed.posts[0].comments] == ["1"]
    assert parsed.posts[0].comments[0].body == f"One\n1. One again\n{jump}. a year, say"
    assert [w.line for w in parsed.warnings] == [8, 9]


def test_the_same_post_twice_in_one_file_keeps_the_copy_with_comments():
    parsed = page(POST + "\n" + POST + "  1. A comment\n")
    assert len(parsed.posts) == 1 and len(parsed.posts[0].comments) == 1
    assert "also starts at line 1" in str(parsed.warnings[0])


# --- encodings, line ends and rejected files -----------------------------------------

HEADER = (
    "Wednesday, 18 February 2015\n\nA PO\u2019s Musings\n\nCaf\u00e9 body.\n\n  1. Na\u00efve\n"
)


def test_utf8_with_a_bom_and_crlf_or_cr_line_ends():
    for data in (
        b"\xef\xbb\xbf" + HEADER.encode(),
        HEADER.replace("\n", "\r\n").encode(),
        HEADER.replace("\n", "\r").encode(),
    ):
        parsed = parse_bytes(data, "f.txt")
        assert parsed.error is None and parsed.warnings == []
        assert parsed.posts[0].title == "A PO\u2019s Musings"
        assert parsed.posts[0].comments[0].body == "Na\u00efve"


def test_a_cp1252_file_is_read_as_cp1252_with_a_warning():
    parsed = parse_bytes(HEADER.encode("cp1252"), "old.txt")
    assert parsed.encoding == "cp1252"
    assert parsed.posts[0].title == "A PO\u2019s Musings"
    assert [str(w) for w in parsed.warnings] == [
        "old.txt:3: not valid UTF-8: read the file as cp1252"
    ]


def test_a_file_cut_inside_a_character_drops_the_dangling_bytes_with_a_warning():
    data = (HEADER + "  2. ends in \u2019").encode()[:-1]
    parsed = parse_bytes(data, "cut.txt")
    assert parsed.encoding == "utf-8"
    assert parsed.posts[0].comments[-1].body == "ends in"
    assert [str(w) for w in parsed.warnings] == [
        "cut.txt:8: file ends inside a UTF-8 character: dropped 2 dangling byte(s)"
    ]


def zipped(data: bytes) -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("dump.txt", data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", "f.txt:1: empty file"),
        (b"\n  \n\t\n", "f.txt:1: empty file"),
        (
            HEADER.encode().replace(b"body", b"bo\x00dy"),
            "f.txt:5: control byte 0x00: not a text dump",
        ),
        (HEADER.encode() + b"  2. \x1b[31mred", "f.txt:8: control byte 0x1b: not a text dump"),
        (gzip.compress(HEADER.encode()), "f.txt:1: gzip-compressed file, not a text dump"),
        (zipped(HEADER.encode()), "f.txt:1: zip-compressed file, not a text dump"),
        (b"\n\nSome preamble\n\n" + HEADER.encode(), "f.txt:3: does not start with a post header"),
        (
            b"Friday, 26 February, 2016\n\nTitle\n\nBody\n",
            "f.txt:1: does not start with a post header",
        ),
        (b"\x81\x8d caf\xe9\n", "f.txt:1: neither UTF-8 nor cp1252 text"),
    ],
)
def test_a_bad_file_is_rejected_whole_with_file_line_reason(data, error):
    parsed = parse_bytes(data, "f.txt")
    assert parsed.rejected and str(parsed.error) == error
    assert parsed.posts == []


def test_the_parser_imports_no_django():
    code = (
        "import sys; import archive_import.parser; "
        "sys.exit(any(m.startswith('django') for m in sys.modules))"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=SAMPLE.parent.parent)


def test_a_title_longer_than_the_title_field_is_cut_with_a_warning():
    parsed = page(POST.replace("A PO's Musings", "Long " * 100))
    assert len(parsed.posts[0].title) <= 300
    assert str(parsed.warnings[0]) == "dump.txt:3: title longer than 300 characters: cut"


# --- input limits (FORMAT.md, "Size limits") ------------------------------------------


def test_a_post_or_comment_over_the_size_limit_rejects_the_file_at_its_line():
    text = POST + "  1. A bit too long\n\n  2. Just right\n"  # a body of 39, a comment of 14
    assert not parse_text(text, "f.txt", Limits(post_chars=39, comment_chars=14)).rejected
    parsed = parse_text(text, "f.txt", Limits(post_chars=39, comment_chars=13))
    assert str(parsed.error) == "f.txt:7: comment 1 of 14 characters, over the limit of 13"
    assert parsed.posts == []
    parsed = parse_text(text, "f.txt", Limits(post_chars=38, comment_chars=14))
    assert str(parsed.error) == "f.txt:1: post body of 39 characters, over the limit of 38"


def test_the_first_posts_come_out_before_the_rest_of_the_file_is_read():
    later = POST.replace("Wednesday, 18", "Thursday, 19").replace("A PO's", "Another")
    more = "    more words\n" * 300_000  # beyond the first chunk read
    text = StringIO(POST + "  1. First\n\n" + later + "  1. Long\n" + more)
    stream = FileStream("f.txt", Limits(post_chars=99, comment_chars=99), text)
    posts = iter(stream)
    assert next(posts).comments[0].body == "First"
    assert stream.error is None and text.tell() < len(text.getvalue())
    assert list(posts) == []
    assert str(stream.error) == "f.txt:15: over 99 characters of text in one post or comment"


class Reads(StringIO):
    """Text that counts how much of it was read."""

    chars = 0

    def read(self, size: int | None = -1) -> str:
        data = super().read(size)
        self.chars += len(data)
        return data


def test_a_post_too_big_for_the_limits_is_rejected_before_it_is_read_whole():
    limits = Limits(post_chars=1_000, comment_chars=100)
    comments = "".join(f"  {n}. {'word ' * 18}\n" for n in range(1, 3_000))
    parsed = parse_text(POST + comments, "many.txt", limits)  # 2,999 comments of 90
    assert not parsed.rejected and len(parsed.posts[0].comments) == 2_999
    body = POST + "  1. ok\n" + "      a reply's words\n" * 300_000  # 6 MB in one comment
    text = Reads(body)
    stream = FileStream("f.txt", limits, text)
    assert list(stream) == [] and text.chars < len(body) / 5
    assert str(stream.error) == "f.txt:7: over 1,000 characters of text in one post or comment"


def test_a_file_of_odd_lines_lists_its_first_thousand_warnings_and_counts_the_rest():
    parsed = page(POST + "  1. One\n" + "   three spaces\n" * 1_500)
    assert len(parsed.warnings) == MAX_WARNINGS + 1
    assert str(parsed.warnings[-1]) == "dump.txt: 500 more warnings not listed"
    assert parsed.posts[0].comments[0].body.count("three spaces") == 1_500


def test_a_path_that_is_not_a_readable_regular_file_is_an_error_for_that_path(tmp_path):
    (tmp_path / "x.txt").mkdir()
    os.mkfifo(tmp_path / "pipe.txt")
    locked = tmp_path / "locked.txt"
    locked.write_text(POST)
    locked.chmod(0)
    cases = {"x.txt": "a directory, not a regular file", "pipe.txt": "a named pipe, not a "
             "regular file", "none.txt": "no such file"}  # fmt: skip
    if os.geteuid() != 0:  # root reads any file
        cases["locked.txt"] = "not readable (permission denied)"
    for name, reason in cases.items():
        stream = DumpFile(tmp_path / name, name).open()
        assert list(stream) == [] and str(stream.error) == f"{name}: {reason}"
