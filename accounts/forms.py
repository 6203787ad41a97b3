"""The profile form: how a user appears beside their comments, and what mail they want."""

from __future__ import annotations

from allauth.account import app_settings as allauth_settings
from allauth.account import forms as allauth_forms
from django import forms
from django.contrib.auth.hashers import make_password
from django.db.models import Q
from django.http import HttpRequest, HttpResponse

from forum.models import ANONYMOUS, Comment
from forum.permissions import is_suspended

from .models import User
from .names import invisible, normalise, skeletons
from .yourdata import Keep

# Names that would pass a reader's comment off as the anonymous crowd, as staff or as the
# site; any look-alike of them (accounts.names.skeletons) is refused too.
RESERVED_NAMES = (
    ANONYMOUS,
    "Moderator",
    "Moderators",
    "Admin",
    "Administrator",
    "On Probation",
    "On Probation Forum",
)
RESERVED = "That name is reserved, or looks like a reserved name: please choose another."
TAKEN = "Another reader uses that name, or one that looks like it: please choose another."
INVISIBLE = (
    "Names cannot contain invisible characters (such as zero-width spaces or "
    "text-direction controls): please type the name again."
)
WRONG_PASSWORD = "That is not your password: your account has not been deleted."
NAME_TOO_LONG = "That name is too long: at most %(limit)d characters, please."
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
        """A name nobody else answers to, so a signed comment cannot impersonate anyone:
        one normal form, nothing invisible, and no look-alike of a reserved or taken name.
        A suspended account keeps the name it has."""
        typed = self.cleaned_data["display_name"]
        if any(invisible(char) for char in typed):
            raise forms.ValidationError(INVISIBLE)
        name = normalise(typed)
        if name != self.instance.display_name and is_suspended(self.instance):
            raise forms.ValidationError(SUSPENDED_RENAME)
        if not name:
            return ""
        limit = User._meta.get_field("display_name").max_length
        if len(name) > limit:
            raise forms.ValidationError(NAME_TOO_LONG, params={"limit": limit})
        raw, folded = skeletons(name)
        if any(_looks_alike((raw, folded), reserved) for reserved in RESERVED_NAMES):
            raise forms.ValidationError(RESERVED)
        others = User.objects.exclude(pk=self.instance.pk)
        if others.filter(Q(name_skeleton=raw) | Q(name_skeleton_folded=folded)).exists():
            raise forms.ValidationError(TAKEN)
        if Comment.objects.imported().filter(display_name__iexact=name).exists():
            raise forms.ValidationError(BLOG_NAME)
        return name


def _looks_alike(name: tuple[str, str], reserved: str) -> bool:
    """Whether a name's skeletons match the reserved name's as written, in capitals or in
    lower case ("ΑΝΟΝΥΜΟUS" in Greek capitals is "ANONYMOUS")."""
    raw, folded = name
    return any(
        raw == other_raw or folded == other_folded
        for other_raw, other_folded in map(
            skeletons, (reserved, reserved.upper(), reserved.lower())
        )
    )


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

    def try_save(self, request: HttpRequest) -> tuple[User | None, HttpResponse | None]:
        """For an address that already has an account allauth only queues a mail, while a
        new one costs a password hash (a quarter of a second, by design): the time alone
        told who has an account. Both paths hash the password now."""
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)

    def get_context(self) -> dict:
        context = super().get_context()
        context["honeypot"] = allauth_settings.SIGNUP_FORM_HONEYPOT_FIELD
        return context


class DeleteAccountForm(forms.Form):
    """The password again, and what becomes of the published comments."""

    keep = forms.ChoiceField(
        label="Your published comments",
        choices=Keep.CHOICES,
        widget=forms.RadioSelect,
        help_text="Either way their numbers and the replies to them stay, and nothing links "
        "them to you any more.",
    )
    password = forms.CharField(
        label="Your password",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(WRONG_PASSWORD)
        return password
