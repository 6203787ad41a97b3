"""Make an account a moderator: staff, in the Moderators group, with a verified address.

An unknown address gets a new account without a usable password; the moderator then
sets one with the site's "forgot password" page, so no password ever passes through a
shell history.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from moderation.groups import moderators_group


class Command(BaseCommand):
    help = "Add a moderator by email address (creates the account if needed)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, email: str, **options) -> None:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"{email!r} is not an email address.") from exc
        User = get_user_model()
        with transaction.atomic():
            user = User.objects.filter(email__iexact=email).first()
            created = user is None
            if created:
                user = User(username=self._free_username(email), email=email)
                user.set_unusable_password()
            user.is_staff = True
            user.is_active = True
            user.save()
            user.groups.add(moderators_group())
            EmailAddress.objects.update_or_create(
                user=user,
                email__iexact=email,
                defaults={"email": email, "verified": True, "primary": True},
            )
        if created:
            self.stdout.write(
                f"Created moderator {email}: "
                "set a password with “Forgot password?” on the login page."
            )
        else:
            self.stdout.write(f"{email} is now a moderator.")

    def _free_username(self, email: str) -> str:
        User = get_user_model()
        base = email.split("@")[0][:140] or "moderator"
        name, n = base, 2
        while User.objects.filter(username=name).exists():
            name, n = f"{base}{n}", n + 1
        return name
