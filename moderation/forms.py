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
