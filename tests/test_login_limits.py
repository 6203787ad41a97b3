"""Failed logins are limited per client address and per (address, account): a stranger's
wrong guesses stop the stranger, never the member on their own connection. Counted in the
cache (Redis on PostgreSQL runs), nothing in the database."""

import pytest
from django.urls import reverse

from .factories import verified_user

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"
ATTACKER, OWNER_HOME = "192.0.2.66", "198.51.100.7"
TOO_MANY = "Too many failed login attempts"


def log_in(client, email, password, address):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


def test_many_failed_attempts_from_one_address_do_not_stop_the_owner_elsewhere(client):
    owner = verified_user(email="owner@example.org")
    for _ in range(8):
        log_in(client, owner.email, "guess", ATTACKER)

    blocked = log_in(client, owner.email, PASSWORD, ATTACKER)
    assert TOO_MANY in blocked.content.decode(), "the guesser's address is stopped"
    assert "_auth_user_id" not in client.session

    response = log_in(client, owner.email, PASSWORD, OWNER_HOME)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_an_owners_own_typos_wait_five_minutes_then_they_get_in(client, time_machine):
    owner = verified_user(email="owner@example.org")
    time_machine.move_to("2026-12-07 09:00:00+00:00", tick=False)
    for _ in range(5):
        log_in(client, owner.email, "typo", OWNER_HOME)
    assert TOO_MANY in log_in(client, owner.email, PASSWORD, OWNER_HOME).content.decode()

    time_machine.move_to("2026-12-07 09:05:01+00:00", tick=False)
    assert log_in(client, owner.email, PASSWORD, OWNER_HOME).status_code == 302


def test_the_waits_grow_for_an_address_that_keeps_guessing_one_account(client, time_machine):
    owner = verified_user(email="owner@example.org")
    for minute in (0, 6):  # 5 guesses, wait out the 5 minutes, 5 more
        time_machine.move_to(f"2026-12-07 09:{minute:02d}:00+00:00", tick=False)
        for _ in range(5):
            log_in(client, owner.email, "guess", ATTACKER)
    time_machine.move_to("2026-12-07 09:12:00+00:00", tick=False)
    assert TOO_MANY in log_in(client, owner.email, PASSWORD, ATTACKER).content.decode()

    time_machine.move_to("2026-12-07 10:01:00+00:00", tick=False)
    assert log_in(client, owner.email, PASSWORD, ATTACKER).status_code == 302


def test_one_address_guessing_many_accounts_is_stopped(client):
    members = [verified_user() for _ in range(11)]
    for member in members[:10]:
        log_in(client, member.email, "guess", ATTACKER)

    assert TOO_MANY in log_in(client, members[10].email, PASSWORD, ATTACKER).content.decode()
    assert log_in(client, members[10].email, PASSWORD, OWNER_HOME).status_code == 302
