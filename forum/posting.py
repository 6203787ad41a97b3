"""Posting views: comment, reply, remove one's own.

Plain form POSTs that redirect to the new comment's anchor, so everything works without
JavaScript (static/js/comments.js only moves the form next to the comment replied to).
Who may comment, reply or remove is `forum.permissions`' call; whether a comment is
published, held or refused for its words is `moderation.rules.decide()`'s; the tree insert
is `forum.threads.add_comment()`'s, under the post's row lock.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from moderation.actions import hold
from moderation.rules import decide

from .forms import CommentForm
from .models import Comment, CommentStatus, Post, RemovedBy
from .permissions import ThreadPermissions, can_remove, comment_refusal, slow_mode_refusal
from .thread import comment_location
from .threads import add_comment, lock_post, lock_threads, set_status

RATE_LIMITED = "You are posting too fast. Please wait a minute and try again."
PUBLISHED_MESSAGE = "Your comment is published."
HELD_MESSAGE = "Thank you: your comment is awaiting moderation. Only you can see it until then."
REMOVED_MESSAGE = "Your comment has been removed."
NOT_REMOVABLE = "This comment can no longer be removed."

logger = logging.getLogger(__name__)


def _comment_rate(group: str, request: HttpRequest) -> str:
    """Read at request time so the rate follows the settings (and tests' overrides)."""
    return settings.FORUM_COMMENT_RATE


def _form_page(
    request: HttpRequest, post: Post, form: CommentForm, status: int = HTTPStatus.OK
) -> HttpResponse:
    return render(
        request,
        "forum/comment_form_page.html",
        {"post": post, "comment_form": form, "parent": form.parent_comment},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(group="forum.comment", key="user", rate=_comment_rate, method="POST", block=False)
def comment_create(request: HttpRequest, post_id: int) -> HttpResponse:
    """GET: the form on its own page (a reply without JavaScript, `?parent=<pk>`).
    POST: store the comment and go to its anchor, or show the form again with the reason."""
    post = get_object_or_404(Post.objects.published(), pk=post_id)
    user = request.user
    if request.method == "GET":
        parent = _reply_target(request, post)
        form = CommentForm(initial={"parent": parent and parent.pk}, post=post, user=user)
        form.parent_comment = parent  # the page shows a refusal in place of the empty form
        return _form_page(request, post, form)

    form = CommentForm(request.POST, post=post, user=user)
    if request.limited:
        form.is_valid()
        form.add_error(None, RATE_LIMITED)
        return _form_page(request, post, form, HTTPStatus.TOO_MANY_REQUESTS)
    refusal = comment_refusal(user, post) or slow_mode_refusal(user, post)
    if refusal:
        form.is_valid()
        form.add_error(None, refusal)
        return _form_page(request, post, form, HTTPStatus.FORBIDDEN)
    if not form.is_valid():
        return _form_page(request, post, form, HTTPStatus.BAD_REQUEST)

    body = form.cleaned_data["body"]
    decision = decide(user, post, body)
    if decision.refused:
        form.add_error(None, decision.refused)
        return _form_page(request, post, form, HTTPStatus.FORBIDDEN)

    with transaction.atomic():
        if post.slow_mode_minutes:
            # Asked again under the post's lock: two comments sent at once cannot both pass.
            lock_post(post.pk)
            refusal = slow_mode_refusal(user, post)
            if refusal:
                form.add_error(None, refusal)
                return _form_page(request, post, form, HTTPStatus.FORBIDDEN)
        comment = add_comment(
            post,
            form.parent_comment,
            body=body,
            author=user,
            display_name=form.display_name,
            status=decision.status,
        )
        if decision.reasons:
            hold(comment, decision.reasons)  # why it waits, as the rules say today
    logger.info("Comment %s on post %s: %s", comment.pk, post.pk, comment.status)
    messages.success(request, PUBLISHED_MESSAGE if comment.is_public else HELD_MESSAGE)
    return redirect(comment_location(comment))  # the page of a long thread that holds it


def _reply_target(request: HttpRequest, post: Post) -> Comment | None:
    """The comment a GET reply page answers, if it is open for replies (checked again on POST)."""
    pk = request.GET.get("parent")
    if not pk or not pk.isdigit():
        return None
    parent = Comment.objects.comments().filter(post=post, pk=int(pk)).first()
    allowed = ThreadPermissions(request.user, post)
    return parent if parent and allowed.reply(parent.status, parent.level) else None


@login_required
@require_http_methods(["GET", "POST"])
def comment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation (no JavaScript needed); POST removes. Only one's own
    comment: anyone else's is a 404, so nobody learns which pending comments exist."""
    comment = get_object_or_404(
        Comment.objects.comments().select_related("post"), pk=pk, author=request.user
    )
    if not can_remove(request.user, comment):
        raise Http404(NOT_REMOVABLE)
    if request.method == "GET":
        return render(request, "forum/comment_remove.html", {"comment": comment})
    with transaction.atomic():
        # Asked again under the post's lock: a moderator may have acted on it meanwhile.
        (comment,) = lock_threads([comment])
        if not can_remove(request.user, comment):
            raise Http404(NOT_REMOVABLE)
        set_status(comment, CommentStatus.REMOVED, RemovedBy.AUTHOR)
    was_numbered = comment.number is not None
    messages.success(request, REMOVED_MESSAGE)
    # A never-published comment leaves no placeholder, hence no anchor to go back to.
    if was_numbered:
        return redirect(comment_location(comment))
    return redirect(comment.post.get_absolute_url() + "#comments")
