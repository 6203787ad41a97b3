"""The operator's view: production settings are safe, development needs no variables."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production(**extra: str) -> dict[str, str]:
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "forum.example.org",
        "CACHE_URL": "redis://127.0.0.1:6379/0",
        **extra,
    }


def test_check_deploy_is_clean_in_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production())
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_without_a_shared_cache_is_warned_about():
    result = manage("check", **production(CACHE_URL=""))

    assert result.returncode == 0, result.stderr
    assert "forum.W001" in result.stderr and "CACHE_URL" in result.stderr


def test_development_with_its_local_memory_cache_is_not_warned_about():
    result = manage("check", CACHE_URL="")

    assert result.returncode == 0, result.stderr
    assert "forum.W001" not in result.stdout + result.stderr


def test_the_site_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = manage("check", DEBUG="0", ALLOWED_HOSTS="forum.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_database_and_cache_urls_select_postgresql_and_redis():
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'])"
    )
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        DATABASE_URL="postgres://u:p@db.example.org:5432/forum",
        CACHE_URL="redis://cache.example.org:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "config.cache.ResilientRedisCache",
    ]


def test_the_embedded_sqlite_database_runs_in_wal_mode(tmp_path):
    code = (
        "from django.db import connection; c = connection.cursor();"
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    )
    result = manage(
        "shell", "--no-imports", "-c", code, DATABASE_URL=f"sqlite:///{tmp_path / 'wal.sqlite3'}"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "wal"


def test_every_model_change_has_its_migration():
    result = manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
