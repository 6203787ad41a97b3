"""The blog's text dumps -> plain dataclasses, one post at a time. Pure Python: no Django.

FORMAT.md beside this file is the contract; every rule below cites it. A file is read
line by line and each post (with its comments) comes out as soon as the next header ends
it, so memory follows the largest post, never the file. The parser never raises on bad
input: a file is either parsed (perhaps with warnings) or rejected whole with one
`FILE:LINE: reason` error (`FILE: reason` when it cannot be read at all). A reason found
half-way (a post over the size limit) stops the stream there, and the loader drops what
it took of that file.
"""

from __future__ import annotations

import codecs
import datetime
import io
import os
import re
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TextIO

MAX_TITLE = 300  # Post.title's max_length: a longer "title" is cut, with a warning.
# A numbering jump this large is text that merely looks like an item ("    2015. was
# grim"), not 2,000 removed comments; it stays text, with a warning.
MAX_GAP = 100
# Size limits (FORMAT.md, "Size limits"): far above the real archive's largest, a post
# body of 44,491 characters (002:283) and a comment of 2,691 (004:76), so they only stop
# runaway input, like a post whose body is one 10 MB word.
MAX_POST_CHARS = 200_000
MAX_COMMENT_CHARS = 20_000
SCAN_BYTES = 1 << 20  # read at a time while checking a file's encoding
READ_CHARS = 1 << 20  # text read at a time while parsing
MAX_WARNINGS = 1_000  # listed per file; a file of nothing but odd lines says how many more
_LINE_SLACK = 8  # a line's indentation and line end, beyond the text it holds

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
_CP1252_UNDEFINED = b"\x81\x8d\x8f\x90\x9d"
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
    line: int | None  # None: about the file as a whole (it cannot be read)
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Limits:
    """Sizes past which a file is rejected (the import command reads them from settings)."""

    post_chars: int = MAX_POST_CHARS
    comment_chars: int = MAX_COMMENT_CHARS

    @property
    def text_chars(self) -> int:
        """No body or comment of an acceptable file is longer."""
        return max(self.post_chars, self.comment_chars)

    @property
    def line_chars(self) -> int:
        """No line of an acceptable file is longer: a body or comment line, its indent and
        line end. Lines are read at most this long, so one giant line never sits in memory."""
        return self.text_chars + _LINE_SLACK


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

    def open(self) -> ParsedFile:
        """Posts already parsed are their own stream (see `FileStream`): the loader takes both."""
        return self

    def __iter__(self) -> Iterator[ParsedPost]:
        return iter(() if self.error else self.posts)


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


_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
}


def _open_regular(path: Path) -> BinaryIO:
    """`path` opened for reading; OSError saying why when it is not a readable regular file.

    Opened without blocking, so a named pipe is refused at once instead of waiting for a
    writer; the checks run on the open file, so nothing can swap the path in between."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(f"{_KINDS.get(stat.S_IFMT(mode), 'a special file')}, not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _unreadable(path: Path, error: OSError) -> str:
    if isinstance(error, FileNotFoundError) and path.is_symlink():
        return "a dangling symbolic link"
    if isinstance(error, FileNotFoundError):
        return "no such file"
    if isinstance(error, PermissionError):
        return "not readable (permission denied)"
    return error.strerror or str(error)


def _line_at(binary: BinaryIO, offset: int) -> int:
    """The 1-based line of a byte offset (LF, CRLF or CR ends a line, as the parser reads
    them), counted by reading the file again from its start: only messages need it."""
    binary.seek(0)
    lines, cr_end = 1, False
    while offset > 0 and (chunk := binary.read(min(SCAN_BYTES, offset))):
        offset -= len(chunk)
        lines += chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
        lines -= cr_end and chunk.startswith(b"\n")
        cr_end = chunk.endswith(b"\r")
    return lines


@dataclass(slots=True)
class _Encoding:
    name: str = "utf-8"
    start: int = 0  # bytes to skip: the BOM
    errors: str = "strict"  # "ignore" drops the dangling bytes of a file cut mid-character
    warnings: list[Issue] = field(default_factory=list)
    error: Issue | None = None


def _scan(binary: BinaryIO, name: str) -> _Encoding:
    """How to decode the file (FORMAT.md, "Text, encodings and bad input"): strict UTF-8
    (BOM dropped), a dangling partial character at the end dropped, else cp1252; control
    bytes and compressed data reject it. One pass in fixed-size chunks, before any post
    is read, so the choice holds for the whole file."""
    found = _Encoding()
    chunk = binary.read(SCAN_BYTES)
    for magic, kind in _MAGIC:
        if chunk.startswith(magic):
            found.error = Issue(name, 1, f"{kind}-compressed file, not a text dump")
            return found
    if chunk.startswith(BOM):
        found.start = len(BOM)
    offset = 0  # of the chunk in the file
    pending = b""  # the start of a UTF-8 character cut by the chunk's end
    not_utf8: int | None = None  # the offset where UTF-8 failed
    while chunk:
        # translate() deletes in C at memory speed; the regex only runs to locate a hit.
        if len(chunk.translate(None, _CONTROL_BYTES)) != len(chunk):
            at = _CONTROL.search(chunk).start()
            message = f"control byte 0x{chunk[at]:02x}: not a text dump"
            found.error = Issue(name, _line_at(binary, offset + at), message)
            return found
        if not_utf8 is None and not (chunk.isascii() and not pending):
            data = pending + (chunk[found.start :] if offset == 0 else chunk)
            try:
                pending = data[codecs.utf_8_decode(data, "strict", False)[1] :]
            except UnicodeDecodeError as error:
                not_utf8 = offset + len(chunk) - len(data) + error.start
        offset += len(chunk)
        chunk = binary.read(SCAN_BYTES)
    if not_utf8 is None:
        if pending:
            # The file ends inside a character: only its dangling bytes are dropped.
            found.errors = "ignore"
            line = _line_at(binary, offset - len(pending))
            message = f"file ends inside a UTF-8 character: dropped {len(pending)} dangling byte(s)"
            found.warnings.append(Issue(name, line, message))
        return found
    undefined = _first_of(binary, _CP1252_UNDEFINED)
    if undefined is not None:
        found.error = Issue(name, _line_at(binary, undefined), "neither UTF-8 nor cp1252 text")
        return found
    found.name = "cp1252"
    message = "not valid UTF-8: read the file as cp1252"
    found.warnings.append(Issue(name, _line_at(binary, not_utf8), message))
    return found


def _first_of(binary: BinaryIO, values: bytes) -> int | None:
    """The offset of the file's first byte among `values`, if any."""
    binary.seek(0)
    offset = 0
    while chunk := binary.read(SCAN_BYTES):
        if len(chunk.translate(None, values)) != len(chunk):
            return offset + min(i for i in map(chunk.find, values) if i >= 0)
        offset += len(chunk)
    return None


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


class _Warnings(list[Issue]):
    """A file's warnings, the first MAX_WARNINGS of them kept: a hostile file cannot make
    the list (and the report) grow with it."""

    dropped = 0

    def append(self, issue: Issue) -> None:
        if len(self) < MAX_WARNINGS:
            super().append(issue)
        else:
            self.dropped += 1


class FileStream:
    """One dump file being parsed: iterate it (once) for its posts, in file order.

    `warnings` grow as the posts come. `error` is set when the file turns out bad, and
    the iteration stops there: whoever took posts of it must drop them. A post seen
    earlier in the same file comes again when this copy is the one to keep (FORMAT.md:
    the copy with comments wins); it replaces the earlier one.
    """

    def __init__(
        self,
        name: str,
        limits: Limits | None = None,
        text: TextIO | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        self.name = name
        self.limits = limits or Limits()
        self.warnings = _Warnings()
        self.error: Issue | None = None
        self.encoding = "utf-8"
        self._text = text
        self._on_progress = on_progress
        self._position: Callable[[], int] | None = None
        # The post being read: its lines from the header (or the file's first text) on,
        # the 0-based line number of the first, its date and title once known.
        self._lines: list[str] = []
        self._base = 0
        self._current: tuple[datetime.date, str] | None = None
        # Characters held; lines checked for runaway text, and the run so far (characters
        # since the last comment number, from which line).
        self._held = 0
        self._checked = 0
        self._run = (0, 4)  # a post's body starts at its fifth line
        # Each post's (date, title) -> line and whether it had comments, of the copy kept.
        self._seen: dict[tuple[datetime.date, str], tuple[int, bool]] = {}

    @classmethod
    def of_binary(
        cls,
        binary: BinaryIO,
        name: str,
        limits: Limits | None = None,
        on_progress: Callable[[int], None] | None = None,
    ) -> FileStream:
        """A stream over a seekable binary file: its encoding is settled first (`_scan`)."""
        stream = cls(name, limits, on_progress=on_progress)
        found = _scan(binary, name)
        stream.warnings += found.warnings
        stream.encoding = found.name
        if found.error is not None:
            stream.error = found.error
            binary.close()
            return stream
        binary.seek(found.start)
        stream._text = io.TextIOWrapper(binary, found.name, found.errors, newline=None)
        stream._position = binary.tell
        return stream

    def __iter__(self) -> Iterator[ParsedPost]:
        if self._text is None or self.error is not None:
            return
        with self._text:
            try:
                yield from self._posts(self._text)
            except (OSError, UnicodeDecodeError) as error:  # the file changed under us
                self.error = Issue(self.name, None, f"could not be read: {error}")
        if self.warnings.dropped:
            message = f"{self.warnings.dropped:,} more warnings not listed"
            list.append(self.warnings, Issue(self.name, None, message))

    def _warn(self, line: int, message: str) -> None:
        self.warnings.append(Issue(self.name, line, message))

    def _posts(self, text: TextIO) -> Iterator[ParsedPost]:
        """Split the lines into posts. A post's lines are held until the next header (or
        the end) closes it, since its comment region is only known at its end. Lines come
        a chunk at a time; only those that may be headers are looked at one by one, once
        the three lines after them are read."""
        lines = self._lines
        waiting: list[int] = []  # indexes in `lines` of possible headers not yet decided
        read = 0
        for chunk in self._chunks(text):
            new = [line.rstrip() for line in chunk]
            offset = len(lines)
            if not lines:
                first = next((k for k, line in enumerate(new) if line), len(new))
                self._base, new = read + first, new[first:]
                if new:
                    waiting.append(0)  # the first text must be a header
            read += len(chunk)
            lines += new
            found = [k for k, line in enumerate(new) if line.startswith(_HEADER_STARTS)]
            waiting += (k + offset for k in found if k + offset)  # line 0 is waiting already
            self._held += sum(map(len, new))
            yield from self._decide(waiting, final=False)
            if self.error is not None:
                return
            if self._held > self.limits.text_chars and self._runaway():
                return
        if self.error is not None:
            return
        if not lines:
            self.error = Issue(self.name, 1, "empty file")
            return
        # The end of the file decides the last lines, with fewer lines after them.
        yield from self._decide(waiting, final=True)
        if self.error is None:
            yield from self._finish(lines, self._base, *self._current)

    def _chunks(self, text: TextIO) -> Iterator[list[str]]:
        """The file's lines, a list per chunk read; stops at a line over the limit."""
        limit = self.limits.line_chars
        carry, read = "", 0
        while chunk := text.read(READ_CHARS):
            parts = (carry + chunk).split("\n")
            carry = parts.pop()
            if len(carry) > limit:  # a line still going on is too long already
                parts.append(carry)
            if max(map(len, parts), default=0) > limit:
                at = read + next(k for k, line in enumerate(parts) if len(line) > limit)
                most = limit - _LINE_SLACK
                self.error = Issue(self.name, at + 1, f"a line of over {most:,} characters")
                return
            read += len(parts)
            yield parts
        if carry:
            yield [carry]

    def _decide(self, waiting: list[int], final: bool) -> Iterator[ParsedPost]:
        """Decide the possible headers in `waiting` that have three lines after them (all
        of them at the end of the file); a header finishes the post held before it."""
        lines = self._lines
        while waiting and (final or waiting[0] + 3 < len(lines)):
            i = waiting.pop(0)
            if self._current is None:
                date = _is_header_at(lines, 0)
                if date is None:
                    message = "does not start with a post header"
                    self.error = Issue(self.name, self._base + 1, message)
                    return
                self._current = (date, lines[2])
                continue
            date = self._header(lines, i)
            if date is None:
                continue
            done = lines[:i]
            yield from self._finish(done, self._base, *self._current)
            if self.error is not None:
                return
            del lines[:i]
            self._base += i
            self._current = (date, lines[2])
            waiting[:] = [w - i for w in waiting]
            self._held -= sum(map(len, done))
            self._checked, self._run = 0, (0, 4)

    def _runaway(self) -> bool:
        """Whether the held post has more text between two comment numbers than any body
        or comment may hold: the file is rejected while reading, so such a post is never
        held whole. Each line is checked once, only in posts already holding more than
        the limit, and only once it is known not to be a header.

        All the text between two item lines lands in one body or comment (the comment
        region starts at an item line), less at most 6 spaces of indent per line; only
        text the parser would drop (after an out-of-sequence first number) counts too."""

        lines, most = self._lines, self.limits.text_chars
        run, start = self._run
        first = max(self._checked, 4)
        for i in range(first, len(lines) - 3):
            line = lines[i]
            if (
                line.startswith("  ")
                and (match := _ITEM.fullmatch(line))
                and len(match[1]) in (2, 4)
            ):
                run, start = 0, i
                continue
            run += max(len(line) - 6, 0)
            if run > most:
                message = f"over {most:,} characters of text in one post or comment"
                self.error = Issue(self.name, self._base + start + 1, message)
                return True
        self._checked, self._run = max(first, len(lines) - 3), (run, start)
        return False

    def _header(self, lines: list[str], i: int) -> datetime.date | None:
        line = lines[i]
        if _HEADER.fullmatch(line) is None:
            return None
        date = _is_header_at(lines, i)
        if date is None and header_date(line) is None and i + 2 < len(lines):
            if not lines[i + 1] and _is_column0(lines[i + 2]):
                # Header-shaped but the wrong weekday (or no such day): body text, maybe a typo.
                self._warn(self._base + i + 1, f"'{line}' is not a real date: kept as body text")
        return date

    def _finish(
        self,
        lines: list[str],
        base: int,
        date: datetime.date,
        title: str,
    ) -> Iterator[ParsedPost]:
        post = _parse_post(lines, base, date, title, self.name, self.warnings)
        self.error = self._oversized(post)
        if self.error is not None:
            return
        seen = self._seen
        if post.key in seen:
            line, had_comments = seen[post.key]
            keep = post.line if post.comments or not had_comments else line
            self._warn(
                post.line,
                f"post '{post.title}' also starts at line {line}; kept the one at line {keep}",
            )
            if keep == line:
                return
        seen[post.key] = (post.line, bool(post.comments))
        if self._on_progress is not None and self._position is not None:
            self._on_progress(self._position())
        yield post

    def _oversized(self, post: ParsedPost) -> Issue | None:
        limit = self.limits.post_chars
        if len(post.body) > limit:
            message = f"post body of {len(post.body):,} characters, over the limit of {limit:,}"
            return Issue(self.name, post.line, message)
        limit = self.limits.comment_chars
        for comment in post.comments:
            if len(comment.body) > limit:
                message = (
                    f"comment {comment.path} of {len(comment.body):,} characters, "
                    f"over the limit of {limit:,}"
                )
                return Issue(self.name, comment.line, message)
        return None

    def collect(self) -> ParsedFile:
        """The whole file at once: for tests, the generator and other small inputs."""
        posts: list[ParsedPost] = []
        where: dict[tuple[datetime.date, str], int] = {}
        for post in self:
            if post.key in where:
                posts[where[post.key]] = post
            else:
                where[post.key] = len(posts)
                posts.append(post)
        return ParsedFile(
            self.name, [] if self.error else posts, self.warnings, self.error, self.encoding
        )


@dataclass(frozen=True)
class DumpFile:
    """A dump on disk; each `open()` reads it afresh (the loader re-reads a file it must
    replay alone). A path that is not a readable regular file is an error for that path."""

    path: Path
    name: str
    limits: Limits | None = None
    on_progress: Callable[[int], None] | None = None

    def open(self) -> FileStream:
        try:
            binary = _open_regular(self.path)
        except OSError as error:
            stream = FileStream(self.name, self.limits)
            stream.error = Issue(self.name, None, _unreadable(self.path, error))
            return stream
        return FileStream.of_binary(binary, self.name, self.limits, self.on_progress)


def parse_bytes(data: bytes, name: str, limits: Limits | None = None) -> ParsedFile:
    """Parse one dump file's bytes; `name` is how messages refer to it."""
    return FileStream.of_binary(io.BytesIO(data), name, limits).collect()


def parse_text(text: str, name: str, limits: Limits | None = None) -> ParsedFile:
    """Parse decoded text (see `parse_bytes` for bytes straight from disk)."""
    return FileStream(name, limits, io.StringIO(text, newline=None)).collect()


def _parse_post(
    lines: list[str],
    base: int,
    date: datetime.date,
    title: str,
    name: str,
    warnings: list[Issue],
) -> ParsedPost:
    """One post from its lines (header first); `base` is the header's 0-based line number."""
    if len(title) > MAX_TITLE:
        warnings.append(Issue(name, base + 3, f"title longer than {MAX_TITLE} characters: cut"))
        title = title[:MAX_TITLE].rstrip()
    end = len(lines)
    last_column0 = 2
    for i in range(end - 1, 2, -1):
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
    body = join_text(lines[4:region])
    post = ParsedPost(date=date, title=title, body=body, line=base + 1)
    if region < end:
        post.comments = _parse_comments(lines, region, end, base, name, warnings)
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
    lines: list[str], start: int, end: int, base: int, name: str, warnings: list[Issue]
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
            item = (
                thread.top_level(number, base + i + 1)
                if spaces == 2
                else thread.reply(number, base + i + 1)
            )
            if item is not None:
                body = item
                if match[3]:
                    body.append(match[3])
                continue
            where = "comment" if spaces == 2 else "reply"
            warnings.append(
                Issue(name, base + i + 1, f"{where} number {number} out of sequence: kept as text")
            )
            demoted = True
        if body is None:
            warnings.append(Issue(name, base + i + 1, "text before the first comment: dropped"))
            continue
        indent = thread.indent
        if spaces < indent:
            if not demoted:
                warnings.append(
                    Issue(name, base + i + 1, f"text indented {spaces} spaces, expected {indent}")
                )
            indent = spaces
        body.append(line[indent:])
    return thread.finish()
