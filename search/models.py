"""One row per searchable thing: a published post, or a published comment of one.

Rows are written only by database triggers on forum_post / forum_comment (see
`search.indexing`), so every writer (the ORM, the importer's raw executemany or COPY,
moderation's `.update()`) keeps the index current without knowing it exists.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q


class Kind(models.TextChoices):
    POST = "post", "Posts"
    COMMENT = "comment", "Comments"


class SearchDocument(models.Model):
    # A date-ordered key computed by the triggers, not a counter: see search.scope.
    id = models.BigIntegerField(primary_key=True)
    kind = models.CharField(max_length=7, choices=Kind.choices)
    # No database constraints: triggers delete these rows, and Django's deletion
    # collector must not try to (DO_NOTHING) while it deletes posts and comments.
    # No index of their own either: the constraints and index in Meta lead with them, and
    # every index more is one more write for each comment the triggers index.
    post = models.ForeignKey(
        "forum.Post",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    comment = models.ForeignKey(
        "forum.Comment",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    # A post's date; a comment written here, the day it was written (Europe/London); an
    # imported comment, its post's date (the archive gives comments no time of their own).
    date = models.DateField()
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    # Posts only: the thread's published comments (comments read their post's row).
    comment_count = models.PositiveIntegerField(default=0)
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    # PostgreSQL: title (weight A) + body (weight B), 'english', set by a trigger and
    # GIN-indexed. SQLite leaves it NULL: its index is the FTS5 table `search_fts`.
    vector = SearchVectorField(null=True, editable=False)

    class Meta:
        db_table = "search_document"
        constraints = [
            models.UniqueConstraint(
                fields=["post"], condition=Q(kind="post"), name="search_one_document_per_post"
            ),
            models.UniqueConstraint(fields=["comment"], name="search_one_document_per_comment"),
        ]
        indexes = [
            models.Index(fields=["post", "kind"], name="search_doc_post_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.comment_id or self.post_id}"
