"""Parsed dumps -> posts and comment trees, in bulk and idempotently.

Knows nothing of the text format: it takes each file's stream of parsed posts. A post is
identified by (date, title), a comment by (post, number path). Unchanged posts cost no
write at all; changed ones get only the rows that differ. Posts are written in batches
as they stream in, whole files to a transaction (commits are the costly part); when a
file goes bad half-way or the database refuses a batch, the transaction is rolled back
and replayed file by file, so each file stays atomic and one bad file never stops the
others. Comments posted on the site (not `is_imported`) are never written.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field, fields
from functools import reduce
from itertools import chain
from operator import or_
from typing import Any, NamedTuple, Protocol
from zoneinfo import ZoneInfo

from django.db import DatabaseError, connection, transaction
from django.db.models import Model, Q
from django.utils import timezone

from forum.models import ANONYMOUS, Comment, CommentStatus, Post, RemovedBy, free_slug
from forum.threads import lock_posts
from forum.trees import ROOT_PATH, Node, Place, layout, path_layout
from search import indexing as search_index

from . import bulk
from .parser import Issue, ParsedComment, ParsedPost
from .render import render

BLOG_TZ = ZoneInfo("Europe/London")
CHUNK = 500  # ids per IN (...) list: well under every engine's parameter limit
POST_FIELDS = (
    "id", "date", "title", "slug", "year", "month", "body", "body_html", "is_published",
    "comments_open", "created_at", "updated_at", "source_file", "source_line",
)  # fmt: skip
COMMENT_FIELDS = (
    "id", "post", "parent", "number", "path", "status", "removed_by", "body", "body_html",
    "author", "display_name", "created_at", "published_at", "updated_at", "is_imported",
    "source_file", "source_line", "lft", "rght", "tree_id", "level",
)  # fmt: skip
# What a re-import may change in a comment of the blog.
COMMENT_UPDATES = ("body", "body_html", "status", "removed_by", "source_file", "source_line",
                   "updated_at")  # fmt: skip
# What the blog says of a comment: published, or removed (a placeholder).
PUBLISHED = (CommentStatus.PUBLISHED, RemovedBy.NOBODY)
REMOVED = (CommentStatus.REMOVED, RemovedBy.BLOG)
# Anything else (spam, pending, removed by a moderator or the author) is the site's
# decision, and a re-import leaves it alone.
BLOG_STATUSES = {PUBLISHED, REMOVED}


@dataclass
class Counts:
    posts_created: int = 0
    posts_updated: int = 0
    posts_unchanged: int = 0
    comments_created: int = 0
    comments_updated: int = 0
    comments_unchanged: int = 0
    removed_placeholders: int = 0

    def add(self, other: Counts) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class FileResult:
    name: str
    counts: Counts = field(default_factory=Counts)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    first_line: int = 0  # of the file's first post taken: where a refused file is reported


class _Row(NamedTuple):
    id: int
    parent_id: int | None
    number: int | None
    path: str
    status: str
    removed_by: str
    body: str
    is_imported: bool
    lft: int
    rght: int
    level: int


_ROW_FIELDS = ("id", "parent_id", "number", "path", "status", "removed_by", "body",
               "is_imported", "lft", "rght", "level")  # fmt: skip


class _Columns:
    """A model's insert columns: ours, then every other concrete field at its default, so
    fields other parts of the project add to Post or Comment never break the import."""

    def __init__(self, model: type[Model], ours: tuple[str, ...]) -> None:
        meta = model._meta
        self.table = meta.db_table
        own = self.own = [meta.get_field(name) for name in ours]
        extra = [f for f in meta.concrete_fields if f not in own]
        self.names = [f.column for f in own] + [f.column for f in extra]
        self.extra = tuple(bulk.value(f.get_db_prep_save(_default(f), connection)) for f in extra)

    def insert(self, rows: list[tuple]) -> None:
        if rows:
            bulk.insert_rows(self.table, self.names, (row + self.extra for row in rows))

    def row_of(self, obj: Model) -> tuple:
        """Our columns' values of an unsaved instance, as `insert()` takes them."""
        return tuple(
            bulk.value(f.get_db_prep_save(f.pre_save(obj, add=True), connection)) for f in self.own
        )


def _default(field: Any) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()
    return field.get_default()


def midnight(date: datetime.date) -> datetime.datetime:
    """A post's date as a moment: midnight in the blog's time zone."""
    return datetime.datetime.combine(date, datetime.time.min, tzinfo=BLOG_TZ)


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Stream(Protocol):
    """A file's posts as they are parsed (`parser.FileStream`, or a `ParsedFile`): `error`
    is set when the file turns out bad, possibly after some posts came out."""

    warnings: list[Issue]
    error: Issue | None

    def __iter__(self) -> Iterator[ParsedPost]: ...


class Source(Protocol):
    """A file to import; each `open()` streams it afresh (a replayed file is read again)."""

    name: str

    def open(self) -> Stream: ...


class _Failed(Exception):
    """A transaction's files must be rolled back: one went bad after posts of it were taken.

    `known`: the bad file is surely the last one taken (the parser said so); after a
    database error any file of the transaction may be at fault."""

    def __init__(self, result: FileResult, known: bool) -> None:
        self.result = result
        self.known = known


class Loader:
    """Writes dump files; `load()` yields one FileResult per file once its transaction commits.

    Posts stream in and are written in batches of about `batch_comments` comments, so
    memory stays flat whatever the files' sizes. A transaction holds whole files only:
    it ends at the first file boundary after `batch_comments` comments or `batch_files`
    files (commits are the costly part). A file the parser rejects before any post costs
    nothing; one that goes bad half-way (a post over the size limit) rolls its transaction
    back, and the files before it are written again (read again from their sources).
    When the database refuses a batch, each file of that transaction is replayed in a
    transaction of its own: only the bad one is rejected.
    """

    def __init__(self, batch_comments: int = 20_000, batch_files: int = 500) -> None:
        self.batch_comments = batch_comments
        self.batch_files = batch_files
        self._posts = _Columns(Post, POST_FIELDS)
        self._comments = _Columns(Comment, COMMENT_FIELDS)

    def load(self, sources: Iterable[Source]) -> Iterator[FileResult]:
        sources = iter(sources)
        # Each transaction takes files from the same iterator, from `first` on.
        for first in sources:
            taken: list[Source] = []
            try:
                results = self._transaction(chain([first], sources), taken, self.batch_files)
            except _Failed as failed:
                if len(taken) == 1:
                    results = [failed.result]
                elif failed.known:
                    results = chain(self.load(taken[:-1]), [failed.result])
                else:
                    results = map(self._alone, taken)
            yield from results

    def _alone(self, source: Source) -> FileResult:
        try:
            return self._transaction(iter([source]), [], 1)[0]
        except _Failed as failed:
            return failed.result

    def _transaction(
        self, sources: Iterator[Source], taken: list[Source], most: int
    ) -> list[FileResult]:
        """Write files from `sources` (noting each in `taken`) in one transaction."""
        results: list[FileResult] = []
        batch = _Batch(self)
        current = FileResult("")
        try:
            with transaction.atomic():
                for source in sources:
                    taken.append(source)
                    current = FileResult(source.name)
                    results.append(self._file(source, current, batch))
                    if batch.comments >= self.batch_comments or len(taken) >= most:
                        break
                batch.flush()
        except DatabaseError as error:
            # Any file of the transaction may be at fault; alone, it is the one.
            name, line = current.name, current.first_line or 1
            raise _Failed(
                FileResult(
                    name,
                    warnings=current.warnings,
                    error=f"{name}:{line}: the database refused the file: {error}",
                ),
                known=False,
            ) from error
        return results

    def _file(self, source: Source, result: FileResult, batch: _Batch) -> FileResult:
        stream = source.open()
        try:
            for post in stream:
                result.first_line = result.first_line or post.line
                batch.add(result, post)
        finally:
            result.warnings[:0] = [str(w) for w in stream.warnings]
        if stream.error is None:
            return result
        rejected = FileResult(source.name, warnings=result.warnings, error=str(stream.error))
        if result.first_line:
            raise _Failed(rejected, known=True)  # posts of it were taken: they must go
        return rejected


class _Batch:
    """Posts waiting to be written together, from one or more files of a transaction."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self.pairs: list[tuple[FileResult, ParsedPost]] = []
        self.where: dict[tuple, int] = {}
        self.pending = 0  # comments (and posts) waiting
        self.comments = 0  # ... and those written in this transaction already

    def add(self, result: FileResult, post: ParsedPost) -> None:
        at = self.where.get(post.key)
        if at is not None and self.pairs[at][0] is result:
            # The parser's later copy of a post in the same file: it replaces the earlier.
            self._count(-len(self.pairs[at][1].comments) - 1)
            self.pairs[at] = (result, post)
            self._count(len(post.comments) + 1)
            return
        if at is not None:
            # A post seen twice in one batch would be planned against stale rows.
            self.flush()
        self.where[post.key] = len(self.pairs)
        self.pairs.append((result, post))
        self._count(len(post.comments) + 1)
        if self.pending >= self.loader.batch_comments:
            self.flush()

    def _count(self, n: int) -> None:
        self.pending += n
        self.comments += n

    def flush(self) -> None:
        if self.pairs:
            _BatchWriter(self.loader, self.pairs).write()
        self.pairs, self.where, self.pending = [], {}, 0


class _Origin(NamedTuple):
    """What every new comment of one post shares."""

    post_id: int
    when: Any  # the post's midnight, in the driver's form
    source: str


class _NewNode:
    __slots__ = ("comment", "origin", "parent", "id", "place")

    def __init__(self, comment: ParsedComment | None, origin: _Origin, parent: Any) -> None:
        self.comment = comment  # None for a root
        self.origin = origin
        self.parent = parent  # an existing id, or the _NewNode of a parent created with it
        self.id = 0
        self.place: Place | None = None


class _BatchWriter:
    """Plans and writes one batch of posts inside the caller's transaction, counting
    each in its file's result."""

    def __init__(self, loader: Loader, pairs: list[tuple[FileResult, ParsedPost]]) -> None:
        self.loader = loader
        self.pairs = pairs
        self.now = timezone.now()
        self.new_posts: list[tuple[FileResult, ParsedPost]] = []
        self.new_nodes: list[_NewNode] = []
        self.relayouts: list[tuple[list[_Row], list[_NewNode]]] = []
        self.post_updates: list[tuple] = []
        self.comment_updates: list[tuple] = []
        self.tree_updates: list[tuple] = []

    def write(self) -> None:
        pairs = self.pairs
        existing = self._existing_posts({post.date for _, post in pairs})
        with_comments = [existing[p.key][0] for _, p in pairs if p.key in existing and p.comments]
        without = [existing[p.key][0] for _, p in pairs if p.key in existing and not p.comments]
        if (with_comments or without) and connection.features.has_select_for_update:
            # The post row locks of forum.threads, taken for the whole batch in one query
            # (in id order) before the trees are read, so no reply slips in between. Posts
            # whose body alone may change are locked with them: locking one later, out of
            # order, could deadlock with a moderator's bulk action over both.
            lock_posts([*with_comments, *without])
        trees = self._trees(with_comments)
        has_imported = self._with_imported_comments(without)
        for result, post in pairs:
            counts = result.counts
            counts.removed_placeholders += sum(1 for c in post.comments if c.removed)
            found = existing.get(post.key)
            if found is None:
                self.new_posts.append((result, post))
                counts.posts_created += 1
                counts.comments_created += len(post.comments)
                continue
            post_id, body = found
            if not post.comments and post_id in has_imported:
                # An index page's copy of a post whose page we have: the page is authoritative.
                counts.posts_unchanged += 1
                continue
            if body != post.body:
                self.post_updates.append(
                    (
                        post.body,
                        render(post.body),
                        result.name,
                        post.line,
                        bulk.value(self.now),
                        post_id,
                    )
                )
                counts.posts_updated += 1
            else:
                counts.posts_unchanged += 1
            if post.comments:
                self._merge(result, post, post_id, trees.get(post_id, []))
        writes = self.new_posts or self.new_nodes or self.post_updates or self.comment_updates
        # The search rows of the posts written are rebuilt once, set-based, at the end.
        with search_index.deferred() if writes else nullcontext():
            self._insert_new_posts()
            self._assign_new_ids()
            self._execute()

    def _existing_posts(self, dates: set[datetime.date]) -> dict[tuple, tuple[int, str]]:
        found: dict[tuple, tuple[int, str]] = {}
        for chunk in _chunks(sorted(dates)):
            for pk, date, title, body in Post.objects.filter(date__in=chunk).values_list(
                "id", "date", "title", "body"
            ):
                found[(date, title)] = (pk, body)
        return found

    def _trees(self, post_ids: list[int]) -> dict[int, list[_Row]]:
        trees: dict[int, list[_Row]] = {}
        for chunk in _chunks(post_ids):
            rows = Comment.objects.filter(tree_id__in=chunk).values_list("tree_id", *_ROW_FIELDS)
            for tree_id, *values in rows:
                trees.setdefault(tree_id, []).append(_Row(*values))
        return trees

    def _with_imported_comments(self, post_ids: list[int]) -> set[int]:
        found: set[int] = set()
        for chunk in _chunks(post_ids):
            found.update(
                Comment.objects.imported()
                .filter(post_id__in=chunk)
                .values_list("post_id", flat=True)
                .distinct()
            )
        return found

    def _merge(self, result: FileResult, post: ParsedPost, post_id: int, rows: list[_Row]) -> None:
        """Plan one existing post's comments: update what differs, add what is new."""
        by_path = {row.path: row for row in rows if row.path}
        root = next((row for row in rows if row.level == 0), None)
        added: list[_NewNode] = []
        new_by_path: dict[str | None, _NewNode] = {}
        counts = result.counts
        origin = _Origin(post_id, bulk.value(midnight(post.date)), result.name)
        root_ref: Any = root.id if root else _NewNode(None, origin, None)
        if root is None:
            added.append(root_ref)
        skipped: set[str] = set()
        for comment in post.comments:
            if comment.parent_path in skipped:
                skipped.add(comment.path)
                continue
            row = by_path.get(comment.path)
            if row is None:
                if comment.parent_path is None:
                    parent = root_ref
                elif comment.parent_path in by_path:
                    parent = by_path[comment.parent_path].id
                else:
                    parent = new_by_path[comment.parent_path]
                node = _NewNode(comment, origin, parent)
                new_by_path[comment.path] = node
                added.append(node)
                counts.comments_created += 1
            elif not row.is_imported:
                skipped.add(comment.path)
                result.warnings.append(
                    f"{result.name}:{comment.line}: comment {comment.path} of '{post.title}' "
                    "is taken by a comment posted on the site: not imported"
                )
            else:
                state = (row.status, row.removed_by)
                if state in BLOG_STATUSES:
                    state = REMOVED if comment.removed else PUBLISHED
                if row.body == comment.body and (row.status, row.removed_by) == state:
                    counts.comments_unchanged += 1
                    continue
                self.comment_updates.append(
                    (
                        comment.body,
                        render(comment.body),
                        *state,
                        result.name,
                        comment.line,
                        bulk.value(self.now),
                        row.id,
                    )  # fmt: skip
                )
                counts.comments_updated += 1
        if added:
            self.relayouts.append((rows, added))
            self.new_nodes.extend(added)

    def _insert_new_posts(self) -> None:
        if not self.new_posts:
            return
        taken = self._taken_slugs({(p.date.year, p.date.month) for _, p in self.new_posts})
        ids = bulk.reserve_ids(Post._meta.db_table, len(self.new_posts))
        now = bulk.value(self.now)
        rows = []
        for (result, post), post_id in zip(self.new_posts, ids, strict=True):
            month = (post.date.year, post.date.month)
            slug = free_slug(post.title, taken.setdefault(month, set()))
            taken[month].add(slug)
            origin = _Origin(post_id, bulk.value(midnight(post.date)), result.name)
            rows.append(
                (post_id, bulk.value(post.date), post.title, slug, *month, post.body,
                 render(post.body), True, True, origin.when, now, result.name, post.line)
            )  # fmt: skip
            places = path_layout(comment.path for comment in post.comments)
            root = _NewNode(None, origin, None)
            root.place = places[ROOT_PATH]
            by_path = {ROOT_PATH: root}
            self.new_nodes.append(root)
            for comment in post.comments:
                parent = by_path[comment.parent_path or ROOT_PATH]
                node = by_path[comment.path] = _NewNode(comment, origin, parent)
                node.place = places[comment.path]
                self.new_nodes.append(node)
        self.loader._posts.insert(rows)

    def _taken_slugs(self, months: set[tuple[int, int]]) -> dict[tuple[int, int], set[str]]:
        taken: dict[tuple[int, int], set[str]] = {}
        for chunk in _chunks(sorted(months), 200):
            query = reduce(or_, (Q(year=y, month=m) for y, m in chunk))
            for year, month, slug in Post.objects.filter(query).values_list(
                "year", "month", "slug"
            ):
                taken.setdefault((year, month), set()).add(slug)
        return taken

    def _assign_new_ids(self) -> None:
        ids = bulk.reserve_ids(Comment._meta.db_table, len(self.new_nodes))
        for node, pk in zip(self.new_nodes, ids, strict=True):
            node.id = pk
        for rows, added in self.relayouts:
            nodes = [Node(r.id, r.parent_id, r.number, r.lft, r.rght, r.level) for r in rows]
            nodes += [
                Node(n.id, _ref(n.parent), n.comment.number if n.comment else None) for n in added
            ]
            places = layout(nodes)
            for node in added:
                node.place = places[node.id]
            for row in rows:
                place = places[row.id]
                if (place.lft, place.rght, place.level) != (row.lft, row.rght, row.level):
                    self.tree_updates.append((place.lft, place.rght, place.level, row.id))

    def _execute(self) -> None:
        now = bulk.value(self.now)
        columns = self.loader._comments
        rows = []
        for node in self.new_nodes:
            comment, origin = node.comment, node.origin
            lft, rght, level = node.place.lft, node.place.rght, node.place.level
            if comment is None:
                root = Comment.new_root(origin.post_id)
                root.id, root.lft, root.rght = node.id, lft, rght
                rows.append(columns.row_of(root))
                continue
            rows.append(
                (node.id, origin.post_id, _ref(node.parent), comment.number, comment.path,
                 *(REMOVED if comment.removed else PUBLISHED), comment.body,
                 render(comment.body) if comment.body else "", None, ANONYMOUS, origin.when,
                 origin.when, now, True, origin.source, comment.line, lft, rght,
                 origin.post_id, level)
            )  # fmt: skip
        columns.insert(rows)
        bulk.update_rows(
            Post._meta.db_table,
            ["body", "body_html", "source_file", "source_line", "updated_at"],
            self.post_updates,
        )
        bulk.update_rows(
            Comment._meta.db_table,
            COMMENT_UPDATES,
            self.comment_updates,
        )
        bulk.update_rows(Comment._meta.db_table, ["lft", "rght", "level"], self.tree_updates)


def _ref(parent: Any) -> int | None:
    return parent.id if isinstance(parent, _NewNode) else parent
