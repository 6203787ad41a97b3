"""Watching a thread: a logged-in reader's button, and the mail's one-click stop link."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from forum.models import Post

from .digests import read_stop_token
from .models import Watch


@login_required
@require_http_methods(["GET", "POST"])
def watch(request: HttpRequest, post_id: int) -> HttpResponse:
    """GET says whether the reader watches the post, with one button; POST toggles."""
    post = get_object_or_404(Post.objects.published(), pk=post_id)
    watching = Watch.objects.filter(user=request.user, post=post)
    if request.method == "POST":
        if watching.exists():
            watching.delete()
            messages.success(request, f"You no longer watch “{post.title}”.")
        else:
            Watch.objects.create(user=request.user, post=post)
            messages.success(
                request,
                f"You watch “{post.title}”: new comments come by email, at most one mail "
                "every few hours.",
            )
        return redirect(post.get_absolute_url())
    return render(request, "watching/watch.html", {"post": post, "watching": watching.exists()})


# The signed token is the credential, and mail clients POST here without a session or a
# CSRF token (RFC 8058 one-click), so CSRF protection does not apply.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def stop(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows one button (link scanners must not stop anything); POST stops."""
    try:
        watch_id, user_id = read_stop_token(token)
    except signing.BadSignature:
        return render(request, "watching/stop.html", {"invalid": True}, status=400)
    found = Watch.objects.filter(pk=watch_id, user_id=user_id).select_related("post").first()
    done = request.method == "POST" or found is None
    if request.method == "POST" and found is not None:
        found.delete()
    return render(request, "watching/stop.html", {"done": done, "watch": found})
