"""What the operator reads in the logs: one line per event, each with its time, level,
logger and request id; a request's lines (and its tasks' lines, in the worker) share
the id; nothing printed twice; no comment text, no email address."""

import json
import logging
import re
import signal
import time
import urllib.error
import urllib.request

import pytest

from config.logs import JsonFormatter, TextFormatter, bind, unbind

from .servers import (
    PYTHON,
    free_port,
    manage,
    python,
    site_env,
    start,
    start_gunicorn,
    stop,
    wait_until_listening,
)

SECRET_TEXT = "My secret words about the approved premises."
READER_EMAIL = "private.reader@example.org"
TEXT_LINE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00 (DEBUG|INFO|WARNING|ERROR|CRITICAL) "
    r"[\w.]+ \[(?P<id>[\w-]+)\] .+$"
)

COMMENT_AND_WORKER = f"""
import django
django.setup()
from django.core.management import call_command
from django.test import Client
from tests.factories import PostFactory, verified_user

call_command("migrate", verbosity=0)
post = PostFactory()
client = Client(HTTP_HOST="localhost")
client.force_login(verified_user(email="{READER_EMAIL}"))
form = {{"body": "{SECRET_TEXT}", "anonymous": "on"}}
response = client.post(f"/posts/{{post.pk}}/comment/", form)
print(response.status_code, response["X-Request-ID"])
call_command("db_worker", "--batch", "--no-reload")
"""


def test_a_request_and_the_task_it_enqueued_share_one_id_in_json_lines(tmp_path):
    env = site_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", LOG_FORMAT="json")
    result = python("-c", COMMENT_AND_WORKER, env=env)
    assert result.returncode == 0, result.stderr
    status, request_id = result.stdout.split()
    assert status == "302"

    lines = [json.loads(line) for line in result.stderr.splitlines()]  # each line one JSON
    for line in lines:
        assert {"timestamp", "level", "logger", "request_id", "message"} <= set(line)
    mine = [line for line in lines if line["request_id"] == request_id]
    messages = [(line["logger"], line["message"]) for line in mine]
    assert any(logger == "forum.posting" and m.endswith(": pending") for logger, m in messages)
    assert any(logger == "config.tasks" and "send_queue_digest" in m for logger, m in messages)
    # The worker, in its own loop, ran the digest under the request's id.
    worker = [m for logger, m in messages if logger == "django_tasks"]
    assert any("state=RUNNING" in m for m in worker)
    assert any("state=SUCCESSFUL" in m for m in worker)
    assert SECRET_TEXT not in result.stderr and READER_EMAIL not in result.stderr


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("logs")
    env = site_env(DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}")
    manage("migrate", "--noinput", env=env)
    return folder, env


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
            return response.status, response.headers["X-Request-ID"]
    except urllib.error.HTTPError as error:
        return error.code, error.headers["X-Request-ID"]


def lines_of(log) -> list[str]:
    return [line for line in log.read_text().splitlines() if TEXT_LINE.match(line)]


def wait_for_line(log, *parts: str, timeout: float = 30) -> list[str]:
    """The log's lines once one holds every part (or as they are at the timeout)."""
    deadline = time.monotonic() + timeout
    while not any(all(part in line for part in parts) for line in lines_of(log)):
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    return lines_of(log)


def test_runserver_prints_each_line_once_with_the_request_id(site):
    folder, env = site
    port, log = free_port(), folder / "runserver.log"
    server = start([PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}"], env, log)
    try:
        wait_until_listening(port, server)
        status, request_id = get(port, "/no-such-page")
        # runserver logs the request line after it has sent the response: wait for it.
        lines = wait_for_line(log, f"[{request_id}] ", "django.server")
    finally:
        stop(server, signal.SIGINT)
    assert status == 404
    assert len(lines) == len(set(lines)), "a line was printed twice"
    about = [line for line in lines if f"[{request_id}]" in line]
    assert [line.split(" ", 3)[2] for line in about] == ["django.request", "django.server"]
    assert sum("Not Found: /no-such-page" in line for line in lines) == 1


def test_gunicorn_prints_its_own_lines_and_the_apps_once_in_one_format(site):
    folder, env = site
    port, log = free_port(), folder / "gunicorn.log"
    server = start_gunicorn(f"127.0.0.1:{port}", {**env, "DEBUG": "1"}, log)
    try:
        wait_until_listening(port, server)
        status, request_id = get(port, "/no-such-page")
    finally:
        stop(server)
    assert status == 404
    text = log.read_text()
    lines = lines_of(log)
    assert len(text.strip().splitlines()) == len(lines), "every line in the one format:\n" + text
    assert len(lines) == len(set(lines)), "a line was printed twice"
    assert any(" gunicorn.error [-] Booting worker" in line for line in lines)
    about = [line for line in lines if f"[{request_id}]" in line]
    assert len(about) == 1 and "WARNING django.request" in about[0]


def test_a_line_never_carries_an_email_address():
    record = logging.LogRecord(
        "outbox", logging.ERROR, __file__, 1, "Refused: %s", ("<ann.other@example.org>",), None
    )
    bind("abc123")
    try:
        text, data = TextFormatter().format(record), json.loads(JsonFormatter().format(record))
    finally:
        unbind()
    assert text.endswith("ERROR outbox [abc123] Refused: <[email]>")
    assert data["message"] == "Refused: <[email]>"
    assert data["request_id"] == "abc123" and data["level"] == "ERROR"
