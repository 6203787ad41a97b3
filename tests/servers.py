"""Real servers on this machine's loopback, for the deployment tests and the scale script:
gunicorn and nginx started from the files under deploy/, pgbouncer, Redis, and a site's
environment. Each listens on a free port (or a socket in a temporary folder) of its own
and is stopped by its process group: the shared PostgreSQL and Redis are never touched.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
PYTHON = sys.executable
# What a child process must not inherit from the test run or the developer's shell.
SITE_VARIABLES = {
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "CACHE_URL",
    "CACHE_KEY_PREFIX",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DJANGO_SETTINGS_MODULE",
    "SENTRY_DSN",
    "ADMINS",
    "LOG_FORMAT",
    "LOG_LEVEL",
    "EMAIL_URL",
    "BACKUP_DIR",
    "STATIC_ROOT",
    "TRUSTED_PROXY_COUNT",
    "DATABASE_TRANSACTION_POOLING",
}


def site_env(**values: str) -> dict[str, str]:
    """This process's environment without the site's variables, plus `values`."""
    env = {k: v for k, v in os.environ.items() if k not in SITE_VARIABLES}
    return {**env, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT), **values}


def python(
    *args: str, env: dict[str, str], stdin: str = "", timeout: int = 300
) -> subprocess.CompletedProcess:
    """`python args` (`-c SCRIPT`, `-m MODULE`, a file) in a child process, in the checkout."""
    return subprocess.run(
        [PYTHON, *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def manage(*args: str, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    """`manage.py args` in a child process; fails the test with its output if it fails."""
    result = python("manage.py", *args, env=env, timeout=timeout)
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result


def tool(name: str, required_by: str) -> str:
    """The path of a Debian tool the test needs. Missing, the test is skipped with the
    install line, unless `required_by` (an environment flag CI sets) asks for a failure."""
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path:
        return path
    message = f"{name} is not installed (apt-get install -y {name})"
    if os.environ.get(required_by) == "1":
        pytest.fail(f"{message} and {required_by}=1")
    pytest.skip(message)


def free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return sock.getsockname()[1]


def wait_until_listening(
    address: int | Path, process: subprocess.Popen, timeout: float = 60
) -> None:
    """Until a TCP port on 127.0.0.1 (or a unix socket) accepts connections."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        family = socket.AF_UNIX if isinstance(address, Path) else socket.AF_INET
        target = str(address) if isinstance(address, Path) else ("127.0.0.1", address)
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            try:
                sock.connect(target)
                return
            except OSError:
                time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {address} after {timeout} s")


def start(args: Sequence[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """A server in a process group of its own (so its workers stop with it), its output
    appended to `log`."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            list(args),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
    """Signal the process's whole group and wait for it; SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout)
    except ProcessLookupError:
        pass


def start_gunicorn(bind: str, env: dict[str, str], log: Path, workers: int = 2) -> subprocess.Popen:
    """gunicorn with deploy/gunicorn.conf.py, bound to `bind` (unix:PATH or HOST:PORT)."""
    gunicorn = str(Path(PYTHON).with_name("gunicorn"))
    env = {**env, "GUNICORN_BIND": bind, "GUNICORN_WORKERS": str(workers)}
    args = [gunicorn, "-c", str(DEPLOY / "gunicorn.conf.py"), "config.wsgi"]
    return start(args, env, log)


def self_signed_certificate(folder: Path, host: str) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", f"/CN={host}", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def nginx_site(
    folder: Path,
    upstreams: Sequence[str],
    http_port: int,
    https_port: int,
    static_root: Path,
    extra: str = "",
) -> Path:
    """deploy/nginx/forum.conf as deployed, moved to this machine's loopback: its ports,
    `upstreams` (server lines' addresses), a self-signed certificate, logs and static
    files in `folder`, and `extra` directives in its HTTPS server. Everything else
    (headers, limits, locations) is the shipped file."""
    site = (DEPLOY / "nginx" / "forum.conf").read_text()
    cert, key = self_signed_certificate(folder, "forum.example.org")
    servers = "".join(
        f"    server {address} max_fails=1 fail_timeout=10s;\n" for address in upstreams
    )
    replacements = [
        (r"    server unix:/run/forum/gunicorn\.sock[^\n]*\n", servers),
        (r"listen 80;", f"listen 127.0.0.1:{http_port};"),
        (r"listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        (r"\n\s*listen \[::\]:\d+[^\n]*;", ""),
        (r"(?=    ssl_certificate )", extra),
        (r"/etc/letsencrypt/live/forum\.example\.org/fullchain\.pem", str(cert)),
        (r"/etc/letsencrypt/live/forum\.example\.org/privkey\.pem", str(key)),
        (r"/var/log/nginx/", f"{folder}/"),
        (r"/srv/forum/staticfiles/", f"{static_root}/"),
    ]
    for pattern, replacement in replacements:
        site, count = re.subn(pattern, replacement.replace("\\", "\\\\"), site)
        assert count, f"deploy/nginx/forum.conf no longer has {pattern!r}"
    (folder / "forum.conf").write_text(site)
    main = folder / "nginx.conf"
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "".join(
        f"    {kind}_temp_path {folder}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main.write_text(
        f"{user}worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
        f"{temp}    include {folder}/forum.conf;\n}}\n"
    )
    return main


def start_nginx(folder: Path, config: Path, https_port: int) -> subprocess.Popen:
    nginx = tool("nginx", "REQUIRE_NGINX")
    test = subprocess.run(
        [nginx, "-t", "-p", str(folder), "-c", str(config)], capture_output=True, text=True
    )
    assert test.returncode == 0, test.stderr
    process = start(
        [nginx, "-p", str(folder), "-c", str(config), "-g", "daemon off;"],
        os.environ.copy(),
        folder / "nginx.out",
    )
    wait_until_listening(https_port, process)
    return process


def start_pgbouncer(
    folder: Path, port: int, server_port: int = 5432, round_robin: bool = False
) -> subprocess.Popen:
    """pgbouncer in transaction pooling in front of the PostgreSQL on `server_port`,
    trusting user postgres as that server does. Started as root, it drops to nobody."""
    pgbouncer = tool("pgbouncer", "REQUIRE_PGBOUNCER")
    folder.chmod(0o755)
    (folder / "users.txt").write_text('"postgres" ""\n')
    ini = folder / "pgbouncer.ini"
    ini.write_text(
        "[databases]\n"
        f"* = host=127.0.0.1 port={server_port}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder}/users.txt\n"
        "pool_mode = transaction\ndefault_pool_size = 20\nmax_client_conn = 500\n"
        f"server_round_robin = {int(round_robin)}\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
    )
    for path in (ini, folder / "users.txt"):
        path.chmod(0o644)
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    process = start([pgbouncer, *user, str(ini)], os.environ.copy(), folder / "pgbouncer.log")
    wait_until_listening(port, process)
    return process


def start_redis(folder: Path, port: int) -> subprocess.Popen:
    redis = tool("redis-server", "REQUIRE_POSTGRES")
    args = [redis, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    process = start([*args, "--dir", str(folder)], os.environ.copy(), folder / "redis.log")
    wait_until_listening(port, process)
    return process
