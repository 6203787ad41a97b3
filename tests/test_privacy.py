"""Data minimisation: the privacy page is printed from a declaration that covers every
column of every table, and no IP address or user agent reaches the database. Both
databases."""

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils.html import escape

from accounts.privacy import HOLDS_NOTHING_PERSONAL, kept

from .dump import database_text
from .factories import PostFactory, comment, verified_user

pytestmark = pytest.mark.django_db

IP, AGENT = "203.0.113.77", "ProbeBrowser/9.9 (Sneaky)"


def test_every_model_is_declared_once_and_every_column_of_it_is_described():
    declared = {record.model: record for record in kept()}
    for model in apps.get_models():
        label = model._meta.label
        assert (label in declared) != (label in HOLDS_NOTHING_PERSONAL), (
            f"{label}: declare it in accounts/privacy.py (kept() or HOLDS_NOTHING_PERSONAL)"
        )
        if label in declared:
            record = declared[label]
            columns = {f.attname for f in model._meta.concrete_fields}
            described = set(record.columns) | set(record.bookkeeping)
            assert described == columns, f"{label}: {columns ^ described}"
            assert not set(record.columns) & set(record.bookkeeping), label
    assert set(declared) | HOLDS_NOTHING_PERSONAL == {m._meta.label for m in apps.get_models()}


def test_no_column_is_made_to_hold_an_address_or_a_browser():
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            name = f.attname.lower()
            assert not isinstance(f, models.GenericIPAddressField), (model, name)
            assert "ip_address" not in name and "user_agent" not in name, (model, name)
            assert name not in {"ip", "remote_addr", "agent"}, (model, name)


def test_signing_up_logging_in_commenting_and_searching_leave_no_ip_or_agent(client):
    headers = {"REMOTE_ADDR": IP, "HTTP_USER_AGENT": AGENT}
    password = "correct horse battery staple"
    client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": password, "password2": password},
        **headers,
    )
    member = verified_user(email="member@example.org")
    client.post(
        reverse("account_login"),
        {"login": member.email, "password": "correct horse battery"},
        **headers,
    )
    assert "_auth_user_id" in client.session
    post = PostFactory()
    comment(post, body="An earlier comment")
    client.post(
        reverse("forum:comment_create", args=[post.pk]),
        {"body": "Caseloads again", "anonymous": "on"},
        **headers,
    )
    client.get(reverse("search:search"), {"q": "caseloads"}, **headers)
    client.get(reverse("account_logout"), **headers)

    text = database_text()
    assert "member@example.org" in text, "the dump reads the database"
    assert IP not in text and AGENT not in text and "ProbeBrowser" not in text


def test_the_privacy_page_states_each_record_and_the_footer_links_it(client):
    page = client.get(reverse("privacy")).content.decode()
    for record in kept():
        assert escape(record.title) in page
        assert escape(record.how_long[1:]) in page  # after capfirst
    assert "No IP address" in page and "14 days" in page
    home = client.get("/").content.decode()
    assert f'href="{reverse("privacy")}">Privacy</a>' in home
