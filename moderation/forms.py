from django import forms

from .models import FlagReason


class FlagForm(forms.Form):
    reason = forms.ChoiceField(choices=FlagReason.choices)


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
