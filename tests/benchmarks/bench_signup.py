"""Sign-up, login and password reset: does the time tell whether an address has an account?

In a temporary SQLite database with the site's real settings (its password hasher,
allauth's flows, mail queued in the outbox), a test client posts each form SAMPLES times
for an address that has an account and SAMPLES times for new ones, interleaved, from a
fresh client each time (no session, as an outsider probing addresses would). Prints the
median milliseconds of each and the gap between them; writes bench-results/bench_signup.json.
    .venv/bin/python tests/benchmarks/bench_signup.py
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench-results" / "bench_signup.json"
SAMPLES = 30
PASSWORD = "correct horse battery staple"


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("CACHE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    logging.disable(logging.INFO)  # one "task enqueued" line per mail


def timed(post) -> float:
    from django.core.cache import cache
    from django.test import Client

    cache.clear()  # measure the flow, not the rate limits
    client = Client()
    started = time.perf_counter()
    response = post(client)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code in (200, 302), response.status_code
    return elapsed


def measure() -> list[dict]:
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    owner = get_user_model().objects.create_user(
        username="owner", email="owner@example.org", password=PASSWORD
    )
    EmailAddress.objects.create(user=owner, email=owner.email, primary=True, verified=True)

    def signup(email: str):
        data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
        return lambda client: client.post(reverse("account_signup"), data)

    def login(email: str):
        data = {"login": email, "password": "wrong password"}
        return lambda client: client.post(reverse("account_login"), data)

    def reset(email: str):
        return lambda client: client.post(reverse("account_reset_password"), {"email": email})

    rows = []
    for name, flow in (("sign-up", signup), ("login (wrong password)", login), ("reset", reset)):
        existing, new = [], []
        for n in range(SAMPLES):
            existing.append(timed(flow(owner.email)))
            new.append(timed(flow(f"new{n}-{name[0]}@example.org")))
        a, b = statistics.median(existing), statistics.median(new)
        rows.append(
            {
                "flow": name,
                "existing_ms": round(a, 1),
                "new_ms": round(b, 1),
                "gap_percent": round(abs(a - b) / max(a, b) * 100, 1),
            }
        )
    return rows


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        setup_django(f"sqlite:///{folder}/bench.sqlite3")
        rows = measure()
    print(f"| flow ({SAMPLES} each, median) | address has an account | new address | gap |")
    print("|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['flow']} | {row['existing_ms']} ms | {row['new_ms']} ms "
            f"| {row['gap_percent']} % |"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps({"samples": SAMPLES, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
