"""The profile form: how a user appears beside their comments, and what mail they want."""

from __future__ import annotations

from allauth.account import app_settings as allauth_settings
from allauth.account import forms as allauth_forms
from django import forms

from forum.models import ANONYMOUS, Comment
from forum.permissions import is_suspended

from .models import User

# Names that would pass a reader's comment off as the anonymous crowd or as the site.
RESERVED_NAMES = {ANONYMOUS.lower(), "moderator", "moderators", "admin", "administrator"}
RESERVED = "That name is reserved: please choose another."
TAKEN = "Another reader already uses that name: please choose another."
BLOG_NAME = "That name signed comments on the original blog: please choose another."
SUSPENDED_RENAME = "Your account is suspended: you cannot change your display name."


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "comment_anonymously", "notify_replies"]
        labels = {
            "display_name": "Display name",
            "comment_anonymously": "Post as Anonymous by default",
            "notify_replies": "Email me when someone replies to one of my comments",
        }
        help_texts = {
            "display_name": "Shown beside the comments you do not post as Anonymous.",
            "comment_anonymously": "The 'Post as Anonymous' box starts ticked; untick it on "
            "any comment.",
            "notify_replies": "",
        }

    def clean_display_name(self) -> str:
        """A name nobody else answers to, so a signed comment cannot impersonate anyone;
        a suspended account keeps the name it has."""
        name = " ".join(self.cleaned_data["display_name"].split())
        if name != self.instance.display_name and is_suspended(self.instance):
            raise forms.ValidationError(SUSPENDED_RENAME)
        if not name:
            return ""
        if name.lower() in RESERVED_NAMES:
            raise forms.ValidationError(RESERVED)
        others = User.objects.exclude(pk=self.instance.pk)
        if others.filter(display_name__iexact=name).exists():
            raise forms.ValidationError(TAKEN)
        if Comment.objects.imported().filter(display_name__iexact=name).exists():
            raise forms.ValidationError(BLOG_NAME)
        return name


class SignupForm(allauth_forms.SignupForm):
    """allauth's sign-up form with its spam trap hidden from everyone, not moved off-screen.

    allauth positions the trap at `right: -99999px`, so a phone scrolls sideways into a
    blank page and screen readers meet an unlabelled box. Here the row carries `hidden`
    (display: none): no person sees, reads or tabs to it, and a bot filling in every
    input of the HTML still fills it in and gets allauth's silent fake success.
    """

    template_name_p = "account/_signup_form_p.html"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        name = allauth_settings.SIGNUP_FORM_HONEYPOT_FIELD
        if name:
            self.fields[name] = forms.CharField(
                required=False,
                label="Leave this empty",
                widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
            )

    def get_context(self) -> dict:
        context = super().get_context()
        context["honeypot"] = allauth_settings.SIGNUP_FORM_HONEYPOT_FIELD
        return context
