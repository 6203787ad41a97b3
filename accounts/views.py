"""The profile page (settings that shape how one's comments appear, and those comments), the
reader's own data (export, deletion) and the privacy page."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from forum.models import Comment
from moderation.notifications import decision_reasons

from .forms import DeleteAccountForm, ProfileForm
from .privacy import kept
from .yourdata import delete_account, export

DELETED = "Your account has been deleted. Thank you for taking part."

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
        .annotate(decision_reason=decision_reasons())
        .order_by("-created_at", "-pk")
    )
    page = Paginator(mine, COMMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/profile.html", {"form": form, "page": page})


def privacy(request: HttpRequest) -> HttpResponse:
    """What is kept, for how long and who sees it: printed from accounts.privacy, the
    declaration tests/test_privacy.py holds against the real models."""
    return render(request, "accounts/privacy.html", {"kept": kept()})


@login_required
def export_data(request: HttpRequest) -> HttpResponse:
    """A JSON file of everything held about the reader (accounts.yourdata.export)."""
    data = export(request.user, request.build_absolute_uri)
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    name = f"on-probation-forum-{request.user.handle}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    """GET explains and asks; POST with the password deletes the account and logs out."""
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        delete_account(request.user, form.cleaned_data["keep"])
        logout(request)
        messages.success(request, DELETED)
        return redirect("forum:home")
    return render(request, "accounts/delete.html", {"form": form})
