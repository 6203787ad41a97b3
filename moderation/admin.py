"""Moderation in the admin: the queue (the Comment changelist, opening on what waits,
oldest first), the editable rules, the log, flags and watched accounts.

The queue is a plain changelist, never DraggableMPTTAdmin (its own docs say it breaks past
a few hundred nodes). Comments are never deleted or edited here: every change is one of
the queue's actions, made through forum.threads and logged by moderation.actions. The log
and flags are read-only too, written only by moderation.actions; the rules are the one
thing moderators edit.
"""

from __future__ import annotations

import re
from urllib.parse import urlencode, urlsplit

from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.views.main import ChangeList
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from forum.models import Comment, CommentStatus, Post, RemovedBy
from forum.permissions import AUTHOR_REMOVED, can_moderate, can_suspend, is_suspended

from .actions import ActionFailed, moderate_many, suspend, unwatch, watch
from .forms import DecisionReasonForm
from .identity import History, history_counts, is_sealed, sealed_comments
from .models import CannedReason, Flag, LogAction, LogEntry, ModerationRules, WatchedUser
from .queue import flagged, waiting

_HREF = re.compile(r'href="([^"]+)"')


class ModerationPermissions:
    """`permissions=["moderate"]` / `["suspend"]` on actions ask forum.permissions."""

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return can_moderate(request.user)

    def has_suspend_permission(self, request: HttpRequest) -> bool:
        return can_suspend(request.user)


@admin.register(ModerationRules)
class ModerationRulesAdmin(admin.ModelAdmin):
    fieldsets = (
        ("Who waits for a moderator", {"fields": ("mode", "first_n", "old_post_days")}),
        ("What waits, whoever writes it", {"fields": ("max_links", "hold_words")}),
        ("What is refused", {"fields": ("block_words",)}),
    )

    def changelist_view(self, request: HttpRequest, extra_context=None):
        """There is one set of rules: go straight to it."""
        ModerationRules.load()
        return HttpResponseRedirect(reverse("admin:moderation_moderationrules_change", args=[1]))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnly:
    """Rows written only by code (moderation actions, triggers): nobody adds, edits or
    deletes them by hand in the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass


@admin.register(CannedReason)
class CannedReasonAdmin(admin.ModelAdmin):
    list_display = ("text", "position")
    list_editable = ("position",)


@admin.register(LogEntry)
class LogEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "moderator_name",
        "action",
        "from_status",
        "to_status",
        "comment",
        "subject",
        "post",
        "person",
        "reason",
    )
    # A reveal is listed here for every moderator (filter on "Identity revealed"); the
    # subject shows as the handle (User.__str__), the moderator by their username.
    list_filter = ("action", ("moderator", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("moderator", "subject", "comment__post", "post")
    date_hierarchy = "created_at"
    raw_id_fields = ("comment", "post", "subject")

    @admin.display(description="person")
    def person(self, obj: LogEntry) -> str:
        """By handle, linked to their page: moderators do not see the name here."""
        if obj.subject is None:
            return "—"
        url = reverse("moderation:person", args=[obj.subject.handle])
        return format_html('<a href="{}">{}</a>', url, obj.subject.handle)

    @admin.display(description="moderator", ordering="moderator__username")
    def moderator_name(self, obj: LogEntry) -> str:
        return staff_name(obj.moderator)


def staff_name(user) -> str:
    """A moderator by their username, never their handle: a moderator's handle beside
    their name would unseal their own anonymous comments."""
    return user.get_username() if user else "—"


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "user", "reason", "resolved", "comment")
    list_filter = ("reason", "resolved")
    list_select_related = ("user", "comment__post")
    raw_id_fields = ("comment",)


@admin.register(WatchedUser)
class WatchedUserAdmin(ModerationPermissions, ReadOnlyAdmin):
    list_display = ("user", "watched_by", "created_at")
    list_select_related = ("user", "created_by")
    actions = ["stop_watching"]

    @admin.display(description="created by")
    def watched_by(self, obj: WatchedUser) -> str:
        return staff_name(obj.created_by)

    @admin.action(description="Stop moderating all their comments", permissions=["suspend"])
    def stop_watching(self, request: HttpRequest, queryset) -> None:
        n = sum(unwatch(w.user, request.user) is not None for w in queryset.select_related("user"))
        self.message_user(request, f"{n} account(s) are back to the normal rules.")


class StatusFilter(admin.SimpleListFilter):
    """Opens on the queue: pending comments and published ones readers have flagged."""

    title = "status"
    parameter_name = "status"
    QUEUE, ALL = "queue", "all"

    def lookups(self, request, model_admin):
        return [
            (self.QUEUE, "Waiting (pending or flagged)"),
            *CommentStatus.choices,
            (self.ALL, "All"),
        ]

    def value(self):
        return super().value() or self.QUEUE

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == str(value),
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.QUEUE:
            return waiting(queryset)
        if value in CommentStatus.values:
            return queryset.filter(status=value)
        return queryset


class OrderFilter(admin.SimpleListFilter):
    """Oldest first, or what readers flagged first (CommentAdmin.get_ordering reads it)."""

    title = "order"
    parameter_name = "first"
    FLAGGED = "flagged"

    def lookups(self, request, model_admin):
        return [(self.FLAGGED, "Flagged first")]

    def queryset(self, request, queryset):
        return queryset


class PostFilter(admin.SimpleListFilter):
    """Posts with something waiting; any post by id through ?post=ID (the post column links it)."""

    title = "post"
    parameter_name = "post"

    def lookups(self, request, model_admin):
        waiting = (
            Post.objects.filter(comments__status=CommentStatus.PENDING)
            .distinct()
            .order_by("-date")
            .values_list("pk", "title")[:30]
        )
        return [(str(pk), Truncator(title).chars(50)) for pk, title in waiting]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(post_id=self.value())
        return queryset


class OriginFilter(admin.SimpleListFilter):
    title = "origin"
    parameter_name = "origin"

    def lookups(self, request, model_admin):
        return [("user", "Written on the forum"), ("imported", "Imported from the blog")]

    def queryset(self, request, queryset):
        if self.value() == "user":
            return queryset.filter(is_imported=False)
        if self.value() == "imported":
            return queryset.filter(is_imported=True)
        return queryset


class FlaggedFilter(admin.SimpleListFilter):
    title = "reader flags"
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("open", "Open flags"), ("ever", "Ever flagged")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return flagged(queryset)
        if self.value() == "ever":
            return queryset.filter(pk__in=Flag.objects.values("comment_id"))
        return queryset


class AuthorFilter(admin.SimpleListFilter):
    """A handle's anonymous comments: ?author=HANDLE (the author column links it); lists the
    handles with comments waiting. Never their signed comments: those carry the name."""

    title = "author (anonymous comments)"
    parameter_name = "author"

    def lookups(self, request, model_admin):
        waiting = (
            Comment.objects.pending()
            .filter(sealed_comments())
            .order_by("author__handle")
            .values_list("author__handle", flat=True)
            .distinct()[:30]
        )
        return [(handle, handle) for handle in waiting]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(sealed_comments(), author__handle=self.value())
        return queryset


class ReasonActionForm(ActionForm, DecisionReasonForm):
    """The action, and the reason the author will read (see DecisionReasonForm)."""


class ReadOnlyInline(admin.TabularInline):
    """History shown on the comment's page; written only by moderation.actions."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class LogEntryInline(ReadOnlyInline):
    model = LogEntry
    fields = readonly_fields = (
        "created_at",
        "moderator_name",
        "action",
        "from_status",
        "to_status",
        "reason",
    )
    verbose_name_plural = "Moderation log"

    @admin.display(description="moderator")
    def moderator_name(self, obj: LogEntry) -> str:
        return staff_name(obj.moderator)


class FlagInline(ReadOnlyInline):
    model = Flag
    fields = readonly_fields = ("created_at", "user", "reason", "resolved")
    verbose_name_plural = "Reader flags"


def _queue_url(**filters: int | str) -> str:
    """The queue filtered (every status): a full URL, so it works from a comment's page too."""
    query = urlencode({**filters, "status": StatusFilter.ALL})
    return f"{reverse('admin:forum_comment_changelist')}?{query}"


@admin.register(Comment)
class CommentAdmin(ReadOnly, ModerationPermissions, admin.ModelAdmin):
    # Comments arrive through the site and are never deleted or edited by hand (ReadOnly):
    # mptt's delete() rewrites the tree and would break the blog's numbering.

    list_display = (
        "ref",
        "status",
        "post_link",
        "replies_to",
        "author_ref",
        "text_start",
        "links",
        "why",
        "created_at",
    )
    list_display_links = ("ref",)
    list_filter = (StatusFilter, OrderFilter, PostFilter, OriginFilter, FlaggedFilter, AuthorFilter)
    date_hierarchy = "created_at"
    ordering = ("created_at", "id")
    list_per_page = 50
    # Not by address, username or handle: a search by handle would list the account's
    # signed comments beside its anonymous ones (the author filter lists only those).
    search_fields = ("body", "display_name")
    show_full_result_count = False
    action_form = ReasonActionForm
    actions = [
        "publish",
        "reject",
        "mark_spam",
        "remove",
        "restore",
        "suspend_authors",
        "moderate_authors",
    ]
    inlines = [LogEntryInline, FlagInline]
    fields = readonly_fields = (
        "post_link",
        "replies_to",
        "author_ref",
        "display_name",
        "status",
        "removed_by",
        "path",
        "created_at",
        "published_at",
        "body",
        "links",
        "history",
        "why",
        "source_file",
        "source_line",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Not super()'s: it orders before the annotations that "flagged first" orders by.
        return (
            Comment.objects.comments()
            .select_related("post", "author", "parent", "hold")
            .annotate(
                open_flags=Coalesce(
                    Subquery(
                        Flag.objects.filter(comment=OuterRef("pk"), resolved=False)
                        .order_by()
                        .values("comment")
                        .annotate(n=Count("pk"))
                        .values("n"),
                        output_field=IntegerField(),
                    ),
                    0,
                ),
            )
            .order_by(*self.get_ordering(request))
        )

    def get_ordering(self, request: HttpRequest) -> tuple[str, ...]:
        if request.GET.get(OrderFilter.parameter_name) == OrderFilter.FLAGGED:
            return ("-open_flags", *self.ordering)
        return self.ordering

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="comment", ordering="created_at")
    def ref(self, obj: Comment) -> str:
        return f"#{obj.path}" if obj.path else f"new ({obj.pk})"

    @admin.display(description="post", ordering="post__date")
    def post_link(self, obj: Comment) -> str:
        """The post's comments in the queue, and this comment in its thread on the site
        (where a moderator sees it in place, with the decision buttons)."""
        return format_html(
            '<a href="{}">{}</a> <a class="in-context" href="{}">in the thread ↗</a>',
            _queue_url(post=obj.post_id),
            Truncator(obj.post.title).chars(40),
            obj.get_absolute_url(),
        )

    @admin.display(description="replies to")
    def replies_to(self, obj: Comment) -> str:
        parent = obj.parent
        if parent is None or parent.level == 0:
            return "—"
        return format_html(
            "#{} {}", parent.path or parent.pk, Truncator(parent.display_name).chars(20)
        )

    def get_changelist(self, request: HttpRequest, **kwargs) -> type[ChangeList]:
        return SealedChangeList

    @admin.display(description="author · history")
    def author_ref(self, obj: Comment) -> str:
        """Beside an anonymous comment, the author's handle and record (the sealed-author
        include, as on the post page), never the name or address; a signed comment shows
        the name its author published, and no handle to tie the two together."""
        if obj.author is None:
            return format_html("{} <small>(no account)</small>", obj.display_name)
        suspended = " · suspended" if is_suspended(obj.author) else ""
        if not is_sealed(obj):
            return format_html("{} <small>(signed{})</small>", obj.display_name, suspended)
        return format_html(
            '{}<small><a href="{}">Their anonymous comments</a>{}</small>',
            render_to_string(
                "moderation/_sealed_author.html",
                {
                    "handle": obj.author.handle,
                    "history": self._history(obj),
                    "comment_pk": obj.pk,
                },
            ),
            _queue_url(author=obj.author.handle),
            suspended,
        )

    @admin.display(description="text")
    def text_start(self, obj: Comment) -> str:
        return Truncator(" ".join(obj.body.split())).chars(120)

    @admin.display(description="links")
    def links(self, obj: Comment) -> str:
        hrefs = _HREF.findall(obj.body_html)
        if not hrefs:
            return "—"
        return format_html_join(
            mark_safe("<br>"),
            '<span title="{}">{}</span>',
            ((h, urlsplit(h).netloc or h) for h in hrefs),
        )

    @admin.display(description="history")
    def history(self, obj: Comment) -> str:
        if obj.author_id is None:
            return "—"
        record = self._history(obj)
        return f"{record.approved} approved, {record.rejected + record.spam} rejected"

    def _history(self, obj: Comment) -> History:
        """The author's record: fetched for the whole page by SealedChangeList, or once
        here on a comment's own page."""
        if not hasattr(obj, "histories"):
            obj.histories = history_counts([obj.author_id])
        return obj.histories.get(obj.author_id, History())

    @admin.display(description="why it waits", ordering="open_flags")
    def why(self, obj: Comment) -> str:
        """The reasons stored when the rules held it (`Hold`), whatever the rules say now,
        and the reader flags still open."""
        reasons = [f"{obj.open_flags} reader flag(s)"] if obj.open_flags else []
        hold = getattr(obj, "hold", None)
        if obj.status == CommentStatus.PENDING and hold is not None:
            reasons += hold.reasons
        return "; ".join(reasons) or "—"

    def _act(self, request: HttpRequest, queryset: QuerySet, action: str, done: str) -> None:
        reason = DecisionReasonForm(request.POST).given()
        comments = list(queryset)
        try:
            n = moderate_many(comments, action, request.user, reason)
        except ActionFailed as failure:
            self.message_user(request, str(failure), messages.ERROR)
            return
        skipped = len(comments) - n
        self.message_user(request, f"{done} {n} comment(s).")
        if skipped:
            self.message_user(
                request, f"{skipped} comment(s) were already in that state.", messages.WARNING
            )

    @admin.action(description="Publish (or keep, dismissing flags)", permissions=["moderate"])
    def publish(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._act(request, queryset, LogAction.PUBLISH, "Published")

    @admin.action(description="Reject", permissions=["moderate"])
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._act(request, queryset, LogAction.REJECT, "Rejected")

    @admin.action(description="Mark as spam", permissions=["moderate"])
    def mark_spam(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._act(request, queryset, LogAction.SPAM, "Marked as spam")

    @admin.action(description="Remove (placeholder and replies kept)", permissions=["moderate"])
    def remove(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._act(request, queryset, LogAction.REMOVE, "Removed")

    @admin.action(description="Restore (publish again)", permissions=["moderate"])
    def restore(self, request: HttpRequest, queryset: QuerySet) -> None:
        authors = [c for c in queryset if c.removed_by == RemovedBy.AUTHOR]
        if authors:
            refs = ", ".join(self.ref(c) for c in authors)
            self.message_user(request, f"Not restored: {refs}. {AUTHOR_REMOVED}", messages.ERROR)
        self._act(
            request, queryset.exclude(pk__in=[c.pk for c in authors]), LogAction.RESTORE, "Restored"
        )

    @admin.action(
        description="Suspend the authors (they can no longer post)", permissions=["suspend"]
    )
    def suspend_authors(self, request: HttpRequest, queryset: QuerySet) -> None:
        """Until lifted, with the reason given; each logged (timed ones: the person page)."""
        reason = DecisionReasonForm(request.POST).given()
        authors = {c.author for c in queryset if c.author and not is_suspended(c.author)}
        for author in authors:
            suspend(author, request.user, reason)
        self.message_user(request, f"Suspended {len(authors)} account(s) until lifted.")

    @admin.action(
        description="Moderate all future comments of the authors", permissions=["suspend"]
    )
    def moderate_authors(self, request: HttpRequest, queryset: QuerySet) -> None:
        reason = DecisionReasonForm(request.POST).given()
        authors = {c.author for c in queryset if c.author}
        n = sum(watch(author, request.user, reason) is not None for author in authors)
        self.message_user(request, f"{n} more account(s) will have every comment moderated.")


class SealedChangeList(ChangeList):
    """The queue's page, with the history of every anonymous comment's author on it
    fetched at once (moderation.identity.history_counts: one query a page)."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        authors = {c.author_id for c in self.result_list if is_sealed(c)}
        histories = history_counts(authors)
        for comment in self.result_list:
            comment.histories = histories
