"""What a load balancer and the operator see at /healthz and /readyz."""

import json

import pytest
from django.db.migrations.recorder import MigrationRecorder

from config import health
from outbox.delivery import deliver

from .servers import free_port, python, site_env
from .test_settings import production


def test_liveness_answers_without_touching_anything(client):
    """No database fixture: any query would fail the test."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readiness_reports_each_dependency(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "tasks", "migrations"}
    assert all(check["ok"] for check in body["checks"].values())
    assert "no-store" in response["Cache-Control"]


def test_readiness_counts_waiting_tasks(client, db):
    deliver.enqueue(12345)
    tasks = client.get("/readyz").json()["checks"]["tasks"]
    assert tasks["ok"] and tasks["waiting"] == 1 and tasks["running_too_long"] == 0


def test_a_probe_by_address_over_plain_http_is_answered(client, db, settings):
    """A balancer asks gunicorn directly: no site host name, no HTTPS. Pages refuse
    such requests; the health endpoints answer them."""
    settings.SECURE_SSL_REDIRECT = True
    probe = {"HTTP_HOST": "10.0.0.7:8000"}
    assert client.get("/", **probe).status_code == 400
    assert client.get("/healthz", **probe).status_code == 200
    assert client.get("/readyz", **probe).status_code == 200
    assert client.get("/", HTTP_HOST="localhost").status_code == 301


def test_readiness_fails_while_a_migration_waits(client, db, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    MigrationRecorder.Migration.objects.filter(app="outbox").delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["migrations"] == {
        "ok": False,
        "error": "LookupError",
        "ms": body["checks"]["migrations"]["ms"],
    }
    assert body["checks"]["database"]["ok"]


PROBE = """
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
for path in ("/healthz", "/readyz"):
    response = client.get(path, HTTP_HOST="10.0.0.7")
    print(response.status_code, response.content.decode())
"""


def probe(**env: str) -> list[tuple[int, dict]]:
    result = python("-c", PROBE, env=site_env(**production(**env)))
    assert result.returncode == 0, result.stderr
    return [
        (int(code), json.loads(body))
        for code, body in (line.split(" ", 1) for line in result.stdout.splitlines())
    ]


@pytest.mark.parametrize(
    "database_url",
    [f"postgres://forum@127.0.0.1:{free_port()}/forum", "sqlite:////nonexistent-folder/db.sqlite3"],
    ids=["postgresql-refused", "sqlite-unopenable"],
)
def test_readiness_is_503_while_the_database_is_unreachable(database_url):
    (live, alive), (ready, readiness) = probe(DATABASE_URL=database_url, CACHE_URL="")
    assert (live, alive) == (200, {"status": "ok"})
    assert ready == 503
    checks = readiness["checks"]
    assert not checks["database"]["ok"] and checks["database"]["error"] == "OperationalError"
    assert checks["cache"]["ok"]
    # The body names the failure, never the server's address or the driver's message.
    assert "127.0.0.1" not in json.dumps(readiness)


def test_readiness_is_503_while_the_cache_is_unreachable(tmp_path):
    (live, _), (ready, readiness) = probe(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CACHE_URL=f"redis://127.0.0.1:{free_port()}/0",
    )
    assert live == 200
    assert ready == 503
    assert not readiness["checks"]["cache"]["ok"]
