"""A page per person for moderators, under the pseudonymous handle (never the name or the
address: those stay behind the privacy issue's audited "reveal"): what they wrote as
Anonymous in every status, flags they made and received, every decision about them, and
the actions on the account. Every action writes a LogEntry about the person (`subject`).
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from forum.models import Comment
from forum.permissions import can_moderate, can_suspend, is_suspended

from .actions import lift, note, restore_trust, suspend, unwatch, watch
from .identity import sealed_comments
from .models import Flag, LogEntry, WatchedUser
from .notifications import decision_reasons
from .rules import record

SHOWN = 100  # of each list: the newest; the queue's author filter has the rest

INDEFINITELY = ""
DURATIONS = [("1", "1 day"), ("7", "7 days"), ("30", "30 days"), ("90", "90 days")]


class SuspendForm(forms.Form):
    duration = forms.ChoiceField(
        choices=[*DURATIONS, (INDEFINITELY, "Until a moderator lifts it")], required=False
    )
    reason = forms.CharField(max_length=250, widget=forms.TextInput(attrs={"size": 40}))

    def clean(self) -> dict:
        """`until`: when the suspension ends by itself (None: when a moderator lifts it)."""
        data = super().clean()
        days = data.get("duration")
        data["until"] = timezone.now() + timedelta(days=int(days)) if days else None
        return data


class ReasonForm(forms.Form):
    """The reason (or the note) the log keeps with a lift, a watch or restored trust."""

    reason = forms.CharField(
        max_length=300, required=False, widget=forms.TextInput(attrs={"size": 40})
    )


# What each button does, given the reason: (action, who may, what the moderator is told).
# Suspending also takes a duration (SuspendForm).
ACTIONS = {
    "suspend": (suspend, can_suspend, "Suspended {handle}."),
    "lift": (lift, can_suspend, "Lifted the suspension of {handle}."),
    "watch": (watch, can_suspend, "Every comment of {handle} will be held."),
    "unwatch": (unwatch, can_suspend, "{handle} is back to the normal rules."),
    "trust": (restore_trust, can_moderate, "Restored the trust of {handle}."),
    "note": (note, can_moderate, "Noted about {handle}."),
}


@login_required
@require_http_methods(["GET", "POST"])
def person(request: HttpRequest, handle: str) -> HttpResponse:
    """GET: the person as moderators know them. POST `do`=one of ACTIONS: act, log, say."""
    if not can_moderate(request.user):
        raise PermissionDenied
    who = get_object_or_404(get_user_model(), handle=handle)
    if request.method == "POST":
        return _act(request, who)
    return render(request, "moderation/person.html", _context(request, who))


def _act(request: HttpRequest, who) -> HttpResponse:
    do = request.POST.get("do", "")
    if do not in ACTIONS or not ACTIONS[do][1](request.user):
        raise PermissionDenied
    action, _, done = ACTIONS[do]
    form = (SuspendForm if action is suspend else ReasonForm)(request.POST)
    if not form.is_valid():
        errors = form.errors.get("reason", ["check the form."])
        messages.error(request, "Nothing done: " + " ".join(errors))
        return redirect("moderation:person", handle=who.handle)
    data = form.cleaned_data
    extra = [data["until"]] if action is suspend else []
    if action(who, request.user, data["reason"], *extra) is None:
        messages.warning(request, f"Nothing changed: {who.handle} already was in that state.")
    else:
        messages.success(request, done.format(handle=who.handle))
    return redirect("moderation:person", handle=who.handle)


def _context(request: HttpRequest, who) -> dict:
    # Only what they wrote as Anonymous: a signed comment beside the handle would tell
    # every moderator who is behind the anonymous ones (moderation.identity).
    comments = (
        Comment.objects.comments()
        .filter(sealed_comments(), author=who)
        .select_related("post")
        .annotate(decision_reason=decision_reasons())
        .order_by("-created_at", "-pk")
    )
    history = (
        LogEntry.objects.filter(Q(subject=who) | Q(comment__in=comments.values("pk")))
        .select_related("moderator", "comment__post", "post")
        .order_by("-created_at", "-id")
    )
    return {
        "person": who,
        "suspended": is_suspended(who),
        "watched": WatchedUser.objects.filter(user=who).exists(),
        "spam": record(who).spam,
        "comments": comments[:SHOWN],
        "flags_made": Flag.objects.filter(user=who).select_related("comment__post")[:SHOWN],
        "flags_received": (
            Flag.objects.filter(comment__in=comments.values("pk")).select_related(
                "user", "comment__post"
            )
        )[:SHOWN],
        "history": history[:SHOWN],
        "suspend_form": SuspendForm(),
        "may_suspend": can_suspend(request.user),
    }
