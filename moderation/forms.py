from django import forms

from .models import FlagReason


class FlagForm(forms.Form):
    reason = forms.ChoiceField(choices=FlagReason.choices)
