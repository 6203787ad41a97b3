"""The shipped deployment files, tried as an operator would: nginx's site and gunicorn's
config serving the site over TLS, the systemd units, and `check --deploy` with the
example environment file.

nginx runs from deploy/nginx/forum.conf, moved onto free loopback ports with a
self-signed certificate (tests/servers.py); gunicorn from deploy/gunicorn.conf.py on a
unix socket, as deployed. Needs Debian's nginx (`.ci/run` installs it)."""

import http.client
import json
import re
import secrets
import shutil
import ssl
import subprocess

import pytest

from .servers import (
    DEPLOY,
    ROOT,
    free_port,
    manage,
    nginx_site,
    site_env,
    start_gunicorn,
    start_nginx,
    stop,
    tool,
    wait_until_listening,
)

HOST = "forum.example.org"


def example_environment() -> dict[str, str]:
    """deploy/forum.env.example's variables, as systemd's EnvironmentFile reads them."""
    pairs = (
        line.split("=", 1)
        for line in (DEPLOY / "forum.env.example").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    )
    return {key: value for key, value in pairs}


def test_check_deploy_is_clean_with_the_example_environment_file():
    env = {**example_environment(), "SECRET_KEY": secrets.token_urlsafe(50)}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=site_env(**env))
    assert "no issues" in result.stdout


def test_the_systemd_units_pass_systemds_own_checks(tmp_path):
    """`systemd-analyze verify`: syntax, known settings, executables that exist (with
    /srv/forum pointing at this checkout). Any complaint fails the test."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    (tmp_path / "forum.env").write_text("DEBUG=0\n")
    units = []
    for unit in sorted((DEPLOY / "systemd").iterdir()):
        text = unit.read_text().replace("/srv/forum", str(ROOT))
        text = text.replace("/etc/forum/forum.env", str(tmp_path / "forum.env"))
        # A template is verified as one of its instances.
        name = unit.name.replace("@.", "@1.")
        (tmp_path / name).write_text(text)
        units.append(f"./{name}")
    result = subprocess.run(
        [analyze, "verify", *units], capture_output=True, text=True, cwd=tmp_path, timeout=60
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def request(port: int, path: str, method: str = "GET", tls: bool = True, **headers) -> tuple:
    if tls:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = headers.pop("body", None)
    connection.request(method, path, body=body, headers={"Host": HOST, **headers})
    response = connection.getresponse()
    content = response.read()
    connection.close()
    return response.status, response.headers, content


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    tool("nginx", "REQUIRE_NGINX")
    folder = tmp_path_factory.mktemp("deployed")
    static = folder / "static"
    env = site_env(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        TRUSTED_PROXY_COUNT="1",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        STATIC_ROOT=str(static),
    )
    manage("migrate", "--noinput", env=env)
    manage("collectstatic", "--noinput", env=env)
    socket_path = folder / "gunicorn.sock"
    app = start_gunicorn(f"unix:{socket_path}", env, folder / "gunicorn.log")
    http_port, https_port = free_port(), free_port()
    try:
        wait_until_listening(socket_path, app)
        config = nginx_site(folder, [f"unix:{socket_path}"], http_port, https_port, static)
        proxy = start_nginx(folder, config, https_port)
    except BaseException:
        stop(app)
        raise
    yield {"folder": folder, "http": http_port, "https": https_port, "static": static}
    stop(proxy, timeout=10)
    stop(app)


def test_plain_http_is_sent_to_https(deployed):
    status, headers, _ = request(deployed["http"], "/2015/?page=2", tls=False)
    assert status == 301
    assert headers["Location"] == f"https://{HOST}/2015/?page=2"


def test_the_app_answers_over_tls_and_knows_it(deployed):
    status, headers, _ = request(deployed["https"], "/")
    assert status == 200  # not a redirect: X-Forwarded-Proto told the app it is HTTPS
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    for path in ("/healthz", "/readyz"):
        status, headers, content = request(deployed["https"], path)
        assert status == 200 and json.loads(content)["status"] == "ok", content
        assert "no-store" in headers["Cache-Control"]


def test_nginx_and_the_app_log_one_request_under_one_id(deployed):
    status, headers, _ = request(
        deployed["https"], "/no-such-page", **{"X-Request-ID": "forged-by-the-client"}
    )
    assert status == 404
    request_id = headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id), "nginx's id, not the client's"
    access = (deployed["folder"] / "forum.access.log").read_text().splitlines()
    (line,) = [line for line in access if "/no-such-page" in line]
    assert f" {request_id} " in line and " 404 " in line
    assert "127.0.0.1 -" not in line, "no client address in the access log"
    app_lines = (deployed["folder"] / "gunicorn.log").read_text()
    assert f"WARNING django.request [{request_id}] Not Found: /no-such-page" in app_lines


def test_nginx_serves_static_files_with_long_lives_for_hashed_names(deployed):
    manifest = json.loads((deployed["static"] / "staticfiles.json").read_text())["paths"]
    original, hashed = next((o, h) for o, h in manifest.items() if o.endswith(".css"))
    status, headers, content = request(deployed["https"], f"/static/{hashed}")
    assert status == 200 and content == (deployed["static"] / hashed).read_bytes()
    assert "immutable" in headers["Cache-Control"] and "X-Request-ID" not in headers
    status, headers, _ = request(deployed["https"], f"/static/{original}")
    assert status == 200 and "immutable" not in headers.get("Cache-Control", "")


def test_a_body_over_the_limit_never_reaches_the_app(deployed):
    status, _, _ = request(
        deployed["https"], "/accounts/login/", method="POST", body=b"x" * (2 * 1024 * 1024)
    )
    assert status == 413
