"""Sign-up, login and password reset answer an address that has an account exactly as they
answer a new one, and do the same work (one password hash where either path hashes), so
neither the page nor the time tells an outsider who is a member. The time itself is
measured in tests/benchmarks/bench_signup.py; here, on both databases, the responses and
the hashes counted by a real hasher."""

import re

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from .factories import verified_user
from .tasks import delivered

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
HASHES = []


class CountingHasher(PBKDF2PasswordHasher):
    """Django's default hasher, counting each time it derives a key."""

    def encode(self, password, salt, iterations=None):
        HASHES.append(1)
        return super().encode(password, salt, iterations)


FLOWS = {
    "signup": lambda email: (
        reverse("account_signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
    ),
    "login": lambda email: (reverse("account_login"), {"login": email, "password": "wrong one"}),
    "reset": lambda email: (reverse("account_reset_password"), {"email": email}),
}


def outsider_tries(flow: str, email: str) -> dict:
    """What a fresh client sees and what the server did: status, where it is sent, the
    cookies set, the page it lands on (less the CSRF token), hashes and mails."""
    cache.clear()  # the rate limits are another test's subject
    HASHES.clear()
    already = len(delivered())
    client = Client()
    url, data = FLOWS[flow](email)
    response = client.post(url, data)
    landing = client.get(response["Location"]) if response.status_code == 302 else response
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", landing.content.decode())
    mails = delivered()[already:]
    return {
        "status": response.status_code,
        "location": response.get("Location"),
        "cookies": sorted(response.cookies),
        "page": page.replace(email, "<address>"),
        "hashes": len(HASHES),
        "mails": len(mails),
        "mail_to": [m.to for m in mails] == [[email]] * len(mails),
    }


@override_settings(PASSWORD_HASHERS=["tests.test_account_enumeration.CountingHasher"])
@pytest.mark.parametrize("flow", FLOWS)
def test_an_address_with_an_account_gets_the_same_answer_and_work_as_a_new_one(flow):
    member = verified_user(email="member@example.org")
    member.set_password(PASSWORD)
    member.save()

    existing = outsider_tries(flow, "member@example.org")
    new = outsider_tries(flow, "stranger@example.org")

    assert existing == new
    if flow != "reset":  # a reset asks for no password
        assert existing["hashes"] >= 1
