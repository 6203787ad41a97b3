"""The blog's text dumps -> plain dataclasses. Pure Python: no Django import.

FORMAT.md beside this file is the contract; every rule below cites it. The parser never
raises on bad input: a file is either parsed (perhaps with warnings) or rejected whole
with one `FILE:LINE: reason` error, so the loader can store nothing of it.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

MAX_TITLE = 300  # Post.title's max_length: a longer "title" is cut, with a warning.
# A numbering jump this large is text that merely looks like an item ("    2015. was
# grim"), not 2,000 removed comments; it stays text, with a warning.
MAX_GAP = 100

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip
_HEADER = re.compile(rf"({'|'.join(WEEKDAYS)}),? ([0-9]{{1,2}}) ({'|'.join(MONTHS)}) ([0-9]{{4}})")
_HEADER_STARTS = tuple(day[:2] for day in WEEKDAYS)
_MONTH_NUMBER = {name: i for i, name in enumerate(MONTHS, 1)}
_ITEM = re.compile(r"( +)([1-9][0-9]*)\.(?: (.*))?")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_CONTROL = re.compile(b"[" + re.escape(_CONTROL_BYTES) + b"]")
# Every header line ends its weekday with "day": a literal the regex engine scans fast.
_DAY = re.compile(r"day,? [0-9]")
_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"(\xb5/\xfd", "zstd"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"BZh", "bzip2"),
)
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Issue:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(slots=True)
class ParsedComment:
    """One numbered item. `removed` items (gaps, empty items) have an empty body."""

    path: str
    number: int
    parent_path: str | None
    body: str
    removed: bool
    line: int


@dataclass(slots=True)
class ParsedPost:
    """One post; `comments` in reading order: each top-level comment, then its replies."""

    date: datetime.date
    title: str
    body: str
    line: int
    comments: list[ParsedComment] = field(default_factory=list)

    @property
    def key(self) -> tuple[datetime.date, str]:
        return (self.date, self.title)


@dataclass(slots=True)
class ParsedFile:
    name: str
    posts: list[ParsedPost] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    error: Issue | None = None
    encoding: str = "utf-8"

    @property
    def rejected(self) -> bool:
        return self.error is not None


def header_date(line: str) -> datetime.date | None:
    """The date of a header line `Weekday[,] D Month YYYY`, if the weekday matches it."""
    if not line.startswith(_HEADER_STARTS):
        return None
    match = _HEADER.fullmatch(line)
    if match is None:
        return None
    weekday, day, month, year = match.groups()
    try:
        date = datetime.date(int(year), _MONTH_NUMBER[month], int(day))
    except ValueError:
        return None
    return date if WEEKDAYS[date.weekday()] == weekday else None


def format_header(date: datetime.date) -> str:
    """The post-page header for `date` (the exporter's inverse of `header_date`)."""
    return f"{WEEKDAYS[date.weekday()]}, {date.day} {MONTHS[date.month - 1]} {date.year}"


def decode(data: bytes, name: str) -> tuple[str | None, list[Issue], Issue | None, str]:
    """Bytes -> text: strict UTF-8 (BOM dropped), a dangling partial character at the end
    dropped, else cp1252; control bytes and compressed data reject the file."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return None, [], Issue(name, 1, f"{kind}-compressed file, not a text dump"), ""
    # translate() deletes in C at memory speed; the regex only runs to locate a hit.
    control = None
    if len(data.translate(None, _CONTROL_BYTES)) != len(data):
        control = _CONTROL.search(data)
    if control is not None:
        line = _line_of(data, control.start())
        byte = data[control.start()]
        return None, [], Issue(name, line, f"control byte 0x{byte:02x}: not a text dump"), ""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    warnings: list[Issue] = []
    try:
        return data.decode("utf-8"), warnings, None, "utf-8"
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data" and error.end == len(data):
            dropped = len(data) - error.start
            warnings.append(
                Issue(
                    name,
                    _line_of(data, error.start),
                    f"file ends inside a UTF-8 character: dropped {dropped} dangling byte(s)",
                )
            )
            return data[: error.start].decode("utf-8"), warnings, None, "utf-8"
        bad_line = _line_of(data, error.start)
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as error:
        line = _line_of(data, error.start)
        return None, [], Issue(name, line, "neither UTF-8 nor cp1252 text"), ""
    warnings.append(Issue(name, bad_line, "not valid UTF-8: read the file as cp1252"))
    return text, warnings, None, "cp1252"


def _line_of(data: bytes, offset: int) -> int:
    newline = b"\n" if b"\n" in data else b"\r"
    return data.count(newline, 0, offset) + 1


def normalise_newlines(text: str) -> str:
    """CRLF and CR line ends -> LF."""
    if "\r" in text:
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def split_lines(text: str) -> list[str]:
    """Lines of LF-ended text, trailing whitespace (U+00A0 included) stripped."""
    return [line.rstrip() for line in text.split("\n")]


def _is_column0(line: str) -> bool:
    return bool(line) and not line[0].isspace()


def _is_header_at(lines: list[str], i: int) -> datetime.date | None:
    """A header: the whole line, then a blank line, a column-0 title, a blank line
    (or the end of a truncated file)."""
    date = header_date(lines[i])
    if date is None:
        return None
    n = len(lines)
    if i + 2 >= n or lines[i + 1] or not _is_column0(lines[i + 2]):
        return None
    if i + 3 < n and lines[i + 3]:
        return None
    return date


def join_text(lines: list[str]) -> str:
    """Lines -> text: outer blank lines dropped, a run of blank lines is one break."""
    out: list[str] = []
    blank = False
    for line in lines:
        if not line:
            blank = True
            continue
        if blank and out:
            out.append("")
        blank = False
        out.append(line)
    return "\n".join(out)


def parse_bytes(data: bytes, name: str) -> ParsedFile:
    """Parse one dump file's bytes; `name` is how messages refer to it."""
    text, warnings, error, encoding = decode(data, name)
    result = ParsedFile(name=name, warnings=warnings, error=error, encoding=encoding)
    if text is None:
        return result
    return parse_text(text, name, result)


def parse_text(text: str, name: str, result: ParsedFile | None = None) -> ParsedFile:
    """Parse decoded text (see `parse_bytes` for bytes straight from disk)."""
    result = result or ParsedFile(name=name)
    text = normalise_newlines(text)
    lines = split_lines(text)
    first = next((i for i, line in enumerate(lines) if line), None)
    if first is None:
        result.error = Issue(name, 1, "empty file")
        return result
    if _is_header_at(lines, first) is None:
        result.error = Issue(name, first + 1, "does not start with a post header")
        return result
    headers = _headers(text, lines, name, result.warnings)
    ends = [i for i, _ in headers[1:]] + [len(lines)]
    seen: dict[tuple[datetime.date, str], int] = {}
    for (start, date), end in zip(headers, ends, strict=True):
        post = _parse_post(lines, start, end, date, name, result.warnings)
        if post.key in seen:
            earlier = result.posts[seen[post.key]]
            keep = post if post.comments or not earlier.comments else earlier
            result.warnings.append(
                Issue(
                    name,
                    post.line,
                    f"post '{post.title}' also starts at line {earlier.line}; "
                    f"kept the one at line {keep.line}",
                )
            )
            result.posts[seen[post.key]] = keep
            continue
        seen[post.key] = len(result.posts)
        result.posts.append(post)
    return result


def _headers(
    text: str, lines: list[str], name: str, warnings: list[Issue]
) -> list[tuple[int, datetime.date]]:
    """(line index, date) of every post header, found by scanning the text in C for
    "day" and checking only the lines that contain it."""
    found: list[tuple[int, datetime.date]] = []
    index, counted, last = 0, 0, -1
    for match in _DAY.finditer(text):
        start = text.rfind("\n", 0, match.start()) + 1
        index += text.count("\n", counted, start)
        counted = start
        if index == last:
            continue
        last = index
        line = lines[index]
        if not line.startswith(_HEADER_STARTS) or _HEADER.fullmatch(line) is None:
            continue
        date = _is_header_at(lines, index)
        if date is not None:
            found.append((index, date))
        elif header_date(line) is None and index + 2 < len(lines):
            if not lines[index + 1] and _is_column0(lines[index + 2]):
                # Header-shaped but the wrong weekday (or no such day): body text, maybe a typo.
                warnings.append(
                    Issue(name, index + 1, f"'{line}' is not a real date: kept as body text")
                )
    return found


def _parse_post(
    lines: list[str],
    start: int,
    end: int,
    date: datetime.date,
    name: str,
    warnings: list[Issue],
) -> ParsedPost:
    title = lines[start + 2]
    if len(title) > MAX_TITLE:
        warnings.append(Issue(name, start + 3, f"title longer than {MAX_TITLE} characters: cut"))
        title = title[:MAX_TITLE].rstrip()
    last_column0 = start + 2
    for i in range(end - 1, start + 2, -1):
        line = lines[i]
        if line and not line[0].isspace():
            last_column0 = i
            break
    region = end
    for i in range(last_column0 + 1, end):
        line = lines[i]
        if line.startswith("  ") and (match := _ITEM.fullmatch(line)) and len(match[1]) in (2, 4):
            region = i
            break
    body = join_text(lines[start + 4 : region])
    post = ParsedPost(date=date, title=title, body=body, line=start + 1)
    if region < end:
        post.comments = _parse_comments(lines, region, end, name, warnings)
    return post


class _Thread:
    """The numbering state of one post's comment region (FORMAT.md, "Comments")."""

    def __init__(self, name: str, warnings: list[Issue]) -> None:
        self.name = name
        self.warnings = warnings
        self.comments: list[ParsedComment] = []
        self.bodies: list[list[str]] = []
        self.top = 0  # last top-level number, placeholders included
        self.top_path = ""
        self.last_reply = 0
        self.indent = 4  # continuation indent of the current item

    def add(self, path: str, number: int, parent: str | None, line: int) -> list[str]:
        body: list[str] = []
        self.comments.append(ParsedComment(path, number, parent, "", False, line))
        self.bodies.append(body)
        return body

    def top_level(self, number: int, line: int) -> list[str] | None:
        if number <= self.top or number - self.top - 1 > MAX_GAP:
            return None
        for missing in range(self.top + 1, number):
            self.add(str(missing), missing, None, line)
        self.top, self.top_path, self.last_reply, self.indent = number, str(number), 0, 4
        return self.add(self.top_path, number, None, line)

    def reply(self, number: int, line: int) -> list[str] | None:
        # A reply list that restarts belongs to the removed comment after the last top-level one.
        restart = not self.top_path or number <= self.last_reply
        if number - (0 if restart else self.last_reply) - 1 > MAX_GAP:
            return None
        if restart:
            self.top += 1
            self.top_path, self.last_reply = str(self.top), 0
            self.add(self.top_path, self.top, None, line)
        for missing in range(self.last_reply + 1, number):
            self.add(f"{self.top_path}.{missing}", missing, self.top_path, line)
        self.last_reply, self.indent = number, 6
        return self.add(f"{self.top_path}.{number}", number, self.top_path, line)

    def finish(self) -> list[ParsedComment]:
        for comment, body in zip(self.comments, self.bodies, strict=True):
            comment.body = join_text(body)
            comment.removed = not comment.body
        return self.comments


def _parse_comments(
    lines: list[str], start: int, end: int, name: str, warnings: list[Issue]
) -> list[ParsedComment]:
    thread = _Thread(name, warnings)
    body: list[str] | None = None
    for i in range(start, end):
        line = lines[i]
        if not line:
            if body is not None:
                body.append("")
            continue
        spaces = len(line) - len(line.lstrip(" "))
        demoted = False
        if spaces in (2, 4) and line[spaces].isdigit() and (match := _ITEM.fullmatch(line)):
            number = int(match[2])
            item = thread.top_level(number, i + 1) if spaces == 2 else thread.reply(number, i + 1)
            if item is not None:
                body = item
                if match[3]:
                    body.append(match[3])
                continue
            where = "comment" if spaces == 2 else "reply"
            warnings.append(
                Issue(name, i + 1, f"{where} number {number} out of sequence: kept as text")
            )
            demoted = True
        if body is None:
            warnings.append(Issue(name, i + 1, "text before the first comment: dropped"))
            continue
        indent = thread.indent
        if spaces < indent:
            if not demoted:
                warnings.append(
                    Issue(name, i + 1, f"text indented {spaces} spaces, expected {indent}")
                )
            indent = spaces
        body.append(line[indent:])
    return thread.finish()
