"""An error while a reader posts a comment: the operator learns of it (Sentry when
SENTRY_DSN is set, mail to ADMINS otherwise), and neither report holds the comment's
text or anyone's email address.

The site runs in a child process with production settings; its comment view is made to
fail with an exception that quotes the comment and the author's address, the worst
case. Sentry's SDK sends to a real HTTP server in this process."""

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .servers import python, site_env
from .test_settings import production

SECRET_TEXT = "The hostel on Elm Road lost my records again."
READER_EMAIL = "private.reader@example.org"

FAILING_COMMENT = f"""
import json
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
# Tests never run collectstatic, so the production manifest does not exist here.
settings.STORAGES["staticfiles"] = {{
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}}
call_command("migrate", verbosity=0)

import forum.posting
def broken(post, parent, *, body, author, **kwargs):
    raise ValueError(f"could not store {{body!r}} by {{author.email}}")
forum.posting.add_comment = broken

import sentry_sdk
from django.test import Client
from outbox.models import Mail
from tests.factories import PostFactory, verified_user

post = PostFactory()
client = Client(raise_request_exception=False)
client.force_login(verified_user(email="{READER_EMAIL}"))
response = client.post(
    f"/posts/{{post.pk}}/comment/?from={READER_EMAIL}",
    {{"body": "{SECRET_TEXT}", "anonymous": "on"}},
    secure=True,
)
sentry_sdk.flush(timeout=10)
print(json.dumps({{
    "status": response.status_code,
    "request_id": response["X-Request-ID"],
    "mails": [{{"to": m.to, "subject": m.subject, "body": m.body, "html": m.html}}
              for m in Mail.objects.all()],
}}))
"""


def run_failing_comment(tmp_path, **env: str) -> dict:
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    settings = production(DATABASE_URL=database, ALLOWED_HOSTS="testserver", CACHE_URL="", **env)
    result = python("-c", FAILING_COMMENT, env=site_env(**settings))
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.splitlines()[-1])
    assert outcome["status"] == 500
    # The log line of the error is private too.
    assert SECRET_TEXT not in result.stderr and READER_EMAIL not in result.stderr
    assert "ValueError" in result.stderr
    return outcome


@pytest.fixture
def sentry_server():
    """A stand-in for Sentry's ingest endpoint: keeps every envelope it is sent."""
    envelopes: list[str] = []

    class Ingest(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            encoding = self.headers.get("Content-Encoding")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "br":  # the SDK's choice when brotli is installed
                body = __import__("brotli").decompress(body)
            envelopes.append(body.decode())
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Ingest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://publickey@127.0.0.1:{server.server_port}/1", envelopes
    server.shutdown()


def events(envelopes: list[str]) -> list[dict]:
    """The error events of Sentry envelopes (a header line, then item header and payload)."""
    found = []
    for envelope in envelopes:
        lines = envelope.split("\n")[1:]
        for header, payload in zip(lines[::2], lines[1::2], strict=False):
            if json.loads(header).get("type") == "event":
                found.append(json.loads(payload))
    return found


def test_sentry_hears_of_the_error_without_the_comment_or_an_address(tmp_path, sentry_server):
    dsn, envelopes = sentry_server
    outcome = run_failing_comment(tmp_path, SENTRY_DSN=dsn, ADMINS="Ops <ops@example.org>")

    (event,) = events(envelopes)
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "ValueError"
    assert exception["value"] == "could not store '[posted]' by [email]"
    assert event["tags"]["request_id"] == outcome["request_id"]
    assert "data" not in event["request"] and "cookies" not in event["request"]
    assert all("vars" not in frame for frame in exception["stacktrace"]["frames"])
    everything = "".join(envelopes)
    assert SECRET_TEXT not in everything and READER_EMAIL not in everything
    assert outcome["mails"] == [], "with Sentry, ADMINS get no mail"


def test_admins_are_mailed_without_the_comment_or_an_address(tmp_path):
    outcome = run_failing_comment(tmp_path, ADMINS="Ops <ops@example.org>")

    (mail,) = outcome["mails"]
    assert mail["to"] == "ops@example.org"
    assert "Internal Server Error: /posts/" in mail["subject"]
    assert f"[{outcome['request_id']}]" in mail["body"]
    assert "ValueError at /posts/" in mail["body"]
    assert "could not store '[posted]' by [email]" in mail["body"]
    for part in (mail["subject"], mail["body"], mail["html"]):
        assert SECRET_TEXT not in part and READER_EMAIL not in part
