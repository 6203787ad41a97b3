"""Moderation on the site: readers flag comments and unsubscribe from mail; moderators
decide on a comment in its thread, cool a post's thread from the post page, and reveal
who is behind an anonymous comment (each reveal listed for the other moderators)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from forum.models import Comment, Post
from forum.permissions import AUTHOR_REMOVED, can_flag, can_moderate, can_restore

from .actions import cool_post, flag, moderate
from .forms import DecisionReasonForm, FlagForm, RevealForm
from .identity import history_counts, is_sealed, reveal, reveals
from .models import LogAction, Unsubscribe
from .notifications import REPLIES, read_unsubscribe_token
from .queue import decisions

MAX_SLOW_MINUTES = 1440
FLAGGED = "Thank you: a moderator will look at this comment."
ALREADY_FLAGGED = "You have already flagged this comment."


@login_required
@require_POST
def flag_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """Flag someone else's public comment once; enough distinct flags hide it until reviewed."""
    comment = get_object_or_404(Comment.objects.public().select_related("post"), pk=pk)
    form = FlagForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Choose a reason.")
    if not can_flag(request.user, comment):
        messages.info(request, "You cannot flag your own comment.")
    elif flag(comment, request.user, form.cleaned_data["reason"]):
        messages.success(request, FLAGGED)
    else:
        messages.info(request, ALREADY_FLAGGED)
    return redirect(comment.get_absolute_url())


@login_required
@require_POST
def decide_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """A moderator's decision on one comment from the post page (a plain form, no
    JavaScript); back to the comment in its thread, saying what was done."""
    if not can_moderate(request.user):
        raise PermissionDenied
    comment = get_object_or_404(Comment.objects.comments().select_related("post"), pk=pk)
    action = request.POST.get("action", "")
    if action not in {value for value, _ in decisions(comment.status, comment.removed_by)}:
        if action == LogAction.RESTORE and not can_restore(request.user, comment):
            messages.error(request, AUTHOR_REMOVED)
        else:
            messages.warning(request, "Nothing changed: the comment is no longer in that state.")
        return redirect(comment.get_absolute_url())
    reason = DecisionReasonForm(request.POST).given()
    entry = moderate(comment, action, request.user, reason)
    if entry is None:
        messages.warning(request, "Nothing changed: the comment is no longer in that state.")
    else:
        done = entry.get_action_display()
        messages.success(request, f"{done}: comment {comment} ({comment.get_status_display()}).")
    return redirect(comment.get_absolute_url())


COOLING = {"close": LogAction.CLOSE, "reopen": LogAction.REOPEN, "slow": LogAction.SLOW_MODE}
COOLED = {
    LogAction.CLOSE: "Comments are closed on this post.",
    LogAction.REOPEN: "Comments are open again on this post.",
    LogAction.SLOW_MODE: "Slow mode is set to {minutes} minutes on this post (0: off).",
}


@login_required
@require_POST
def cool_thread(request: HttpRequest, pk: int) -> HttpResponse:
    """A moderator closes, reopens or slows a post's comments from the post page."""
    if not can_moderate(request.user):
        raise PermissionDenied
    post = get_object_or_404(Post, pk=pk)
    action = COOLING.get(request.POST.get("do", ""))
    minutes = request.POST.get("minutes", "0").strip() or "0"
    if action is None or not minutes.isdigit() or int(minutes) > MAX_SLOW_MINUTES:
        return HttpResponseBadRequest("Choose an action, and minutes between 0 and 1440.")
    reason = request.POST.get("reason", "").strip()
    if cool_post(post, request.user, action, reason, int(minutes)) is None:
        messages.info(request, "Nothing changed: the post already was so.")
    else:
        messages.success(request, COOLED[action].format(minutes=int(minutes)))
    return redirect(post.get_absolute_url() + "#comments")


UNSUBSCRIBED = {
    REPLIES: "You will no longer get emails about replies to your comments.",
    Unsubscribe.Kind.PUBLISHED: "You will no longer get emails when your comments are published.",
    Unsubscribe.Kind.QUEUE: "You will no longer get emails about comments awaiting moderation.",
    Unsubscribe.Kind.DECIDED: "You will no longer get emails when a moderator rejects or removes "
    "your comments (your profile still shows why).",
}


# The signed token is the credential, and mail clients POST here without a session or a
# CSRF token (RFC 8058 one-click), so CSRF protection does not apply.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows one button (link scanners must not unsubscribe anyone); POST unsubscribes."""
    try:
        user_id, kind = read_unsubscribe_token(token)
    except signing.BadSignature:
        return render(request, "moderation/unsubscribe.html", {"invalid": True}, status=400)
    user = get_object_or_404(get_user_model(), pk=user_id)
    done = request.method == "POST"
    if done:
        if kind == REPLIES:
            get_user_model().objects.filter(pk=user.pk).update(notify_replies=False)
        else:
            Unsubscribe.objects.get_or_create(user=user, kind=kind)
    return render(
        request,
        "moderation/unsubscribe.html",
        {"done": done, "message": UNSUBSCRIBED[kind], "kind": kind},
    )


REVEALS_PER_PAGE = 50


@never_cache  # the answer shows a name and an address: no cache or history keeps a copy
@login_required
@require_http_methods(["GET", "POST"])
def reveal_identity(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks why; POST with a reason logs the reveal, then shows the account's name and
    address on this one response (nothing is kept open: looking again is another reveal).
    Moderators only, and only behind an anonymous comment; anyone else gets a 404."""
    if not can_moderate(request.user):
        raise Http404
    comment = get_object_or_404(Comment.objects.comments().select_related("post", "author"), pk=pk)
    if not is_sealed(comment):
        raise Http404
    form = RevealForm(request.POST if request.method == "POST" else None)
    revealed = None
    if form.is_valid():
        revealed = reveal(comment, request.user, form.cleaned_data["reason"])
    context = {
        "comment": comment,
        "form": form,
        "revealed": revealed,
        "history": history_counts([comment.author_id])[comment.author_id],
    }
    return render(request, "moderation/reveal.html", context)


@login_required
def reveal_list(request: HttpRequest) -> HttpResponse:
    """Every reveal, newest first: who looked behind which handle, when and why."""
    if not can_moderate(request.user):
        raise Http404
    page = Paginator(reveals(), REVEALS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "moderation/reveals.html", {"page": page})
