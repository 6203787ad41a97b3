"""The database stops answering: readers get a clear 503 page that asks them to come
back, never a traceback, and load balancers see Retry-After.

Each case runs the site in a child process whose DATABASE_URL points where no database
answers: a closed port on this machine, or a SQLite file in a folder that does not exist."""

import subprocess
import sys

import pytest

from .faults import closed_port
from .test_settings import ROOT, production

REQUEST = """
import django
django.setup()
from django.conf import settings
from django.test import Client
# Tests never run collectstatic, so the production manifest does not exist here.
settings.STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
for path in ("/", "/2015/02/a-post.html", "/search/?q=probation"):
    response = Client(raise_request_exception=False).get(path, secure=True)
    page = "Back in a minute" in response.text
    print(path, response.status_code, response.get("Retry-After"), page)
"""


@pytest.mark.parametrize(
    "database_url",
    [
        f"postgres://forum@127.0.0.1:{closed_port()}/forum",
        "sqlite:////nonexistent-folder/forum.sqlite3",
    ],
    ids=["postgresql-refused", "sqlite-unopenable"],
)
def test_pages_answer_503_with_retry_after_when_the_database_is_unreachable(database_url):
    env = production(DATABASE_URL=database_url, ALLOWED_HOSTS="testserver", CACHE_URL="")
    result = subprocess.run(
        [sys.executable, "-c", REQUEST],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")[:3]
    assert lines == [
        "/ 503 30 True",
        "/2015/02/a-post.html 503 30 True",
        "/search/?q=probation 503 30 True",
    ]
