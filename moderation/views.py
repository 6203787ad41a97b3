"""Readers' side of moderation: flagging a comment, and one-click unsubscribe from mail;
moderators' reveal of who is behind an anonymous comment, and the list of reveals."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from forum.models import Comment
from forum.permissions import can_flag, can_moderate

from .actions import flag
from .forms import FlagForm, RevealForm
from .identity import history_counts, is_sealed, reveal, reveals
from .models import Unsubscribe
from .notifications import REPLIES, read_unsubscribe_token

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


UNSUBSCRIBED = {
    REPLIES: "You will no longer get emails about replies to your comments.",
    Unsubscribe.Kind.PUBLISHED: "You will no longer get emails when your comments are published.",
    Unsubscribe.Kind.QUEUE: "You will no longer get emails about comments awaiting moderation.",
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
