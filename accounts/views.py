"""The profile page: settings that shape how one's comments appear, and those comments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from forum.models import Comment

from .forms import ProfileForm
from .privacy import kept

COMMENTS_PER_PAGE = 20


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Edit display name and defaults; list one's own comments, newest first, with status."""
    bound = request.POST if request.method == "POST" else None
    form = ProfileForm(bound, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile has been saved.")
        return redirect("accounts:profile")
    mine = (
        Comment.objects.comments()
        .filter(author=request.user)
        .select_related("post")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(mine, COMMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/profile.html", {"form": form, "page": page})


def privacy(request: HttpRequest) -> HttpResponse:
    """What is kept, for how long and who sees it: printed from accounts.privacy, the
    declaration tests/test_privacy.py holds against the real models."""
    return render(request, "accounts/privacy.html", {"kept": kept()})
