from django import forms

from .models import CannedReason, FlagReason


class FlagForm(forms.Form):
    reason = forms.ChoiceField(choices=FlagReason.choices)


class DecisionReasonForm(forms.Form):
    """Why a moderator rejects or removes: a reason from the editable list, their own
    words, or both."""

    canned = forms.ModelChoiceField(
        CannedReason.objects.all(), required=False, label="Reason", empty_label="(no reason)"
    )
    reason = forms.CharField(
        required=False,
        max_length=300,
        label="in your words (optional, logged)",
        widget=forms.TextInput(attrs={"size": 30}),
    )

    def given(self) -> str:
        """The reason as the log keeps it and the author reads it ("" if none)."""
        if not self.is_valid():
            return ""
        parts = [str(self.cleaned_data["canned"] or ""), self.cleaned_data["reason"].strip()]
        return ": ".join(part for part in parts if part)[:300]


class RevealForm(forms.Form):
    reason = forms.CharField(
        label="Why do you need to know who wrote this?",
        min_length=10,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required. Logged with your name, the time and the comment, and listed "
        "for the other moderators.",
        error_messages={
            "required": "Write the reason: a reveal is never silent.",
            "min_length": "Write the reason in a sentence (at least %(limit_value)d characters).",
        },
    )
