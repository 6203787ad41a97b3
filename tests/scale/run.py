"""Proof that the site scales out: `make scale` (not part of the test suite).

On this machine's loopback only: nginx (deploy/nginx/forum.conf) in front of two gunicorn
app servers (deploy/gunicorn.conf.py), two task workers, PostgreSQL through pgbouncer in
transaction pooling, a Redis of the run's own and an SMTP sink. locust drives a bounded
mixed load for 60 s (readers, searchers, commenters who log in and post with CSRF
tokens) while a moderator publishes held comments through one app server and reads the
post through the other at once. App server A is killed (SIGKILL, its whole process
group) at 20 s and started again at 40 s.

It then prints the table of the issue (requests/s, p50/p95/p99, errors, comments posted
against stored, sessions across servers, publish-then-read across servers,
check_comment_trees, mail delivered once) and exits non-zero when a comment was lost,
a request failed that was not in flight on the killed server, or another check failed.
The JSON goes to bench-results/scale.json.

    python tests/scale/run.py [--database-url postgres://postgres@127.0.0.1:5432/forum_scale]

The database named there is created for the run and dropped after it; the shared
PostgreSQL server itself is only connected to, never restarted.
"""

from __future__ import annotations

import argparse
import email
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import dj_database_url
import psycopg
import pytest
from aiosmtpd.controller import Controller
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.servers import (  # noqa: E402
    PYTHON,
    ROOT,
    free_port,
    manage,
    nginx_site,
    python,
    site_env,
    start,
    start_gunicorn,
    start_nginx,
    start_pgbouncer,
    start_redis,
    stop,
    wait_until_listening,
)

HOST = "forum.example.org"
ORIGIN = f"https://{HOST}"
MARKER = re.compile(r"scale-[0-9a-f]{32}")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "SCALE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/forum_scale"
        ),
        help="a database of the run's own (created, then dropped)",
    )
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--searchers", type=int, default=4)
    parser.add_argument("--commenters", type=int, default=12)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers per server")
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--kill-at", type=float, default=20)
    parser.add_argument("--restart-at", type=float, default=40)
    parser.add_argument("--posts", type=int, default=120, help="posts in the archive")
    parser.add_argument("--out", default=str(ROOT / "bench-results" / "scale.json"))
    return parser.parse_args()


# --- the run's own database, and questions put to it ------------------------------------


class Database:
    def __init__(self, url: str) -> None:
        self.params = dj_database_url.parse(url)
        self.url = url

    def connect(self, dbname: str | None = None) -> psycopg.Connection:
        return psycopg.connect(
            host=self.params["HOST"] or "127.0.0.1",
            port=self.params["PORT"] or 5432,
            user=self.params["USER"],
            password=self.params["PASSWORD"] or None,
            dbname=dbname or self.params["NAME"],
            autocommit=True,
        )

    def recreate(self) -> None:
        self.drop()
        with self.connect("postgres") as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.params["NAME"])))

    def drop(self) -> None:
        with self.connect("postgres") as admin:
            name = sql.Identifier(self.params["NAME"])
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))

    def rows(self, query: str, *params) -> list[tuple]:
        with self.connect() as conn:
            return conn.execute(query, params).fetchall()


# --- the SMTP sink ---------------------------------------------------------------------


class MailSink:
    """Counts what the workers deliver; a mail received twice has the same recipient,
    subject and body (its Date and Message-ID are made at each sending)."""

    def __init__(self) -> None:
        self.received: list[str] = []
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.content)
        del message["Date"]
        del message["Message-ID"]
        identity = hashlib.sha256(",".join(envelope.rcpt_tos).encode() + message.as_bytes())
        with self.lock:
            self.received.append(identity.hexdigest())
        return "250 OK"


# --- the moderator, who talks to each app server directly -------------------------------


@dataclass
class Servers:
    ports: dict[str, int]
    up: dict[str, bool] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def live(self) -> list[str]:
        return [name for name, alive in self.up.items() if alive]


class Moderator(threading.Thread):
    """Logs in to the admin, then every 2 s publishes the oldest held comments of the run
    through one app server and at once reads their post, anonymously, through the
    other: the page (from Redis's page cache, emptied by the publish) must show them."""

    def __init__(self, servers: Servers, database: Database, account: dict) -> None:
        super().__init__(daemon=True)
        self.servers, self.database, self.account = servers, database, account
        self.cookies: dict[str, str] = {}
        self.records: list[dict] = []
        self.checks: list[bool] = []
        self.published = 0
        self.stopping = threading.Event()
        self.turn = 0

    def request(
        self, server: str, method: str, path: str, form: dict | None = None, anonymous=False
    ):
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "127.0.0.1",
            "Referer": f"{ORIGIN}{path}",
        }
        if self.cookies and not anonymous:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        began = time.time()
        record = {"t": began, "method": method, "name": f"moderator {method}", "by": server}
        try:
            connection = http.client.HTTPConnection(
                "127.0.0.1", self.servers.ports[server], timeout=30
            )
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            connection.close()
        except OSError as error:
            self.records.append(
                {**record, "ms": (time.time() - began) * 1000, "status": 0, "error": repr(error)}
            )
            raise
        failed = response.status >= 400
        self.records.append(
            {
                **record,
                "ms": (time.time() - began) * 1000,
                "status": response.status,
                "error": "HTTP error" if failed else None,
            }
        )
        if not anonymous:
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _, value = cookie.split(";", 1)[0].partition("=")
                self.cookies[name] = value
        return response.status, text

    def log_in(self, server: str) -> None:
        self.request(server, "GET", "/admin/login/")
        status, _ = self.request(
            server,
            "POST",
            "/admin/login/?next=/admin/",
            {
                "username": self.account["username"],
                "password": self.account["password"],
                "csrfmiddlewaretoken": self.cookies["csrftoken"],
                "next": "/admin/",
            },
        )
        assert status == 302, f"the moderator could not log in ({status})"

    def held(self) -> list[tuple[int, str, str]]:
        rows = self.database.rows(
            "SELECT c.id, p.year, p.month, p.slug, c.body FROM forum_comment c "
            "JOIN forum_post p ON p.id = c.post_id "
            "WHERE c.status = 'pending' AND c.body LIKE %s ORDER BY c.created_at, c.id LIMIT 5",
            "%scale-%",
        )
        return [
            (pk, f"/{y}/{m:02d}/{slug}.html", MARKER.search(body).group())
            for pk, y, m, slug, body in rows
        ]

    def run(self) -> None:
        self.log_in(self.servers.live()[0])
        while not self.stopping.wait(2):
            live = self.servers.live()
            comments = self.held()
            if not comments or not live:
                continue
            self.turn += 1
            writer = live[self.turn % len(live)]
            reader = next((name for name in live if name != writer), None)
            try:
                status, _ = self.request(
                    writer,
                    "POST",
                    "/admin/forum/comment/",
                    {
                        "action": "publish",
                        "_selected_action": [str(pk) for pk, _, _ in comments],
                        "index": "0",
                        "select_across": "0",
                        "reason": "",
                        "csrfmiddlewaretoken": self.cookies["csrftoken"],
                    },
                )
                if status != 302:
                    continue
                self.published += len(comments)
                if reader is None:  # one server is down: nothing to compare with
                    continue
                for url in sorted({url for _, url, _ in comments}):
                    status, page = self.request(reader, "GET", url, anonymous=True)
                    markers = [marker for _, u, marker in comments if u == url]
                    self.checks.append(status == 200 and all(m in page for m in markers))
            except OSError:
                continue  # recorded; a server went away under the request


# --- the run -------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def served_by(record: dict, ports: dict[str, int]) -> set[str]:
    """The app servers nginx tried for a request (X-Served-By: "127.0.0.1:8001, ...")."""
    tried = record.get("by") or ""
    return {name for name, port in ports.items() if f":{port}" in tried or tried == name}


def main() -> int:
    args = arguments()
    load_before = os.getloadavg()
    database = Database(args.database_url)
    folder = Path(tempfile.mkdtemp(prefix="forum-scale-"))
    with ExitStack() as cleanup:
        print(
            f"Preparing in {folder} (load average {load_before[0]:.1f} on {os.cpu_count()} cores)"
        )
        database.recreate()
        cleanup.callback(database.drop)

        redis_port, pgbouncer_port = free_port(), free_port()
        redis = start_redis(folder, redis_port)
        cleanup.callback(stop, redis)
        (folder / "pgbouncer").mkdir()
        pgbouncer = start_pgbouncer(
            folder / "pgbouncer", pgbouncer_port, database.params["PORT"] or 5432
        )
        cleanup.callback(stop, pgbouncer)
        sink = MailSink()
        sink.controller.start()
        cleanup.callback(sink.controller.stop)

        user = database.params["USER"] + (
            f":{database.params['PASSWORD']}" if database.params["PASSWORD"] else ""
        )
        direct_url = args.database_url
        pooled_url = f"postgres://{user}@127.0.0.1:{pgbouncer_port}/{database.params['NAME']}"
        env = site_env(
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS=HOST,
            FORUM_SITE_URL=ORIGIN,
            TRUSTED_PROXY_COUNT="1",
            DATABASE_URL=pooled_url,
            DATABASE_TRANSACTION_POOLING="1",
            CACHE_URL=f"redis://127.0.0.1:{redis_port}/0",
            EMAIL_URL=f"smtp://127.0.0.1:{sink.port}",
            STATIC_ROOT=str(folder / "static"),
            LOG_LEVEL="WARNING",
        )
        setup_env = {**env, "DATABASE_URL": direct_url}
        manage("migrate", "--noinput", env=setup_env)
        archive = folder / "archive"
        manage(
            "generate_archive",
            "--posts",
            str(args.posts),
            "--comments-per-post",
            "25",
            "--out",
            str(archive),
            env=setup_env,
        )
        manage("import_archive", str(archive), env=setup_env, timeout=900)
        manage("collectstatic", "--noinput", env=setup_env)
        password = secrets.token_urlsafe(12)
        seeded = python("-m", "tests.scale.seed", str(args.commenters), password, env=setup_env)
        if seeded.returncode:
            raise RuntimeError(seeded.stderr)
        accounts = folder / "accounts.json"
        accounts.write_text(seeded.stdout)
        config = json.loads(seeded.stdout)

        servers = Servers({"A": free_port(), "B": free_port()})

        def start_app(name: str) -> None:
            address = f"127.0.0.1:{servers.ports[name]}"
            process = start_gunicorn(address, env, folder / f"app-{name}.log", args.workers)
            servers.processes[name] = process
            wait_until_listening(servers.ports[name], process)
            servers.up[name] = True

        for name in servers.ports:
            start_app(name)
            cleanup.callback(lambda name=name: stop(servers.processes[name]))
        for n in (1, 2):
            worker = start(
                [
                    PYTHON,
                    "manage.py",
                    "db_worker",
                    "--no-reload",
                    "--interval",
                    "0.5",
                    "--worker-id",
                    f"scale-{n}",
                ],
                env,
                folder / f"worker-{n}.log",
            )
            cleanup.callback(stop, worker)
        http_port, https_port = free_port(), free_port()
        nginx_config = nginx_site(
            folder,
            [f"127.0.0.1:{port}" for port in servers.ports.values()],
            http_port,
            https_port,
            folder / "static",
            extra="    add_header X-Served-By $upstream_addr always;\n",
        )
        nginx = start_nginx(folder, nginx_config, https_port)
        cleanup.callback(stop, nginx)

        records_path, started_path = folder / "requests.jsonl", folder / "started"
        users = {
            "READERS": args.readers,
            "SEARCHERS": args.searchers,
            "COMMENTERS": args.commenters,
        }
        total = sum(users.values())
        locust = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "locust",
                "-f",
                str(Path(__file__).with_name("locustfile.py")),
                "--headless",
                "--users",
                str(total),
                "--spawn-rate",  # everyone arrives within 5 s
                str(max(1, total // 5)),
                "--run-time",
                f"{args.duration}s",
                "--host",
                f"https://127.0.0.1:{https_port}",
                "--stop-timeout",
                "20",
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "SCALE_ACCOUNTS": str(accounts),
                "SCALE_RECORDS": str(records_path),
                "SCALE_STARTED": str(started_path),
                **{f"SCALE_{k}": str(v) for k, v in users.items()},
            },
            stdout=open(folder / "locust.log", "wb"),
            stderr=subprocess.STDOUT,
        )
        cleanup.callback(stop, locust)
        while not started_path.exists():
            if locust.poll() is not None:
                raise RuntimeError((folder / "locust.log").read_text())
            time.sleep(0.05)
        began = float(started_path.read_text())
        print(f"Load running: {users}, {args.duration} s")

        moderator = Moderator(servers, database, config["moderator"])
        moderator.start()
        time.sleep(max(0, began + args.kill_at - time.time()))
        killed_at = time.time()
        servers.up["A"] = False
        os.killpg(servers.processes["A"].pid, signal.SIGKILL)
        servers.processes["A"].wait()
        print(f"App server A killed at {killed_at - began:.1f} s")
        time.sleep(max(0, began + args.restart_at - time.time()))
        restarted_at = time.time()
        start_app("A")
        answering = time.time() - began
        print(
            f"App server A started at {restarted_at - began:.1f} s, answering at {answering:.1f} s"
        )
        locust.wait()
        moderator.stopping.set()
        moderator.join(30)
        ended = time.time()

        drained = drain(database, timeout=120)
        load_after = os.getloadavg()
        trees = python("manage.py", "check_comment_trees", env=setup_env)
        report = judge(
            records=[json.loads(line) for line in records_path.read_text().splitlines()]
            + moderator.records,
            ports=servers.ports,
            began=began,
            ended=ended,
            killed_at=killed_at,
            restarted_at=restarted_at,
            database=database,
            sink=sink,
            moderator=moderator,
            trees=trees.stdout.strip() or trees.stderr.strip(),
            drained=drained,
            load=(load_before, load_after),
            users=users,
            args=args,
        )
    print_report(report)
    Path(args.out).parent.mkdir(exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2))
    if not report["passed"]:
        print(f"Logs of the servers, workers and locust kept in {folder}")
        return 1
    shutil.rmtree(folder)
    return 0


def drain(database: Database, timeout: float) -> bool:
    """Wait until the workers have run every task that is due and the outbox holds no
    mail waiting to be sent now."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        (busy,) = database.rows(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE status = 'RUNNING' OR (status = 'READY' AND run_after <= now())"
        )[0]
        (waiting,) = database.rows(
            "SELECT count(*) FROM outbox_mail "
            "WHERE status = 'sending' OR (status = 'queued' AND due_at <= now())"
        )[0]
        if busy == 0 and waiting == 0:
            return True
        time.sleep(1)
    return False


def judge(
    *,
    records,
    ports,
    began,
    ended,
    killed_at,
    restarted_at,
    database,
    sink,
    moderator,
    trees,
    drained,
    load,
    users,
    args,
) -> dict:
    durations = [r["ms"] for r in records]
    failed = [r for r in records if r["error"] or r["status"] >= 400 or r["status"] == 0]

    def in_flight_on_a(r: dict) -> bool:
        end = r["t"] + r["ms"] / 1000
        return r["t"] <= killed_at <= end + 0.05 and served_by(r, ports) <= {"A"}

    outside = [r for r in failed if not in_flight_on_a(r)]

    acknowledged = {
        r["marker"]
        for r in records
        if r["name"] == "post comment" and not r["error"] and r["status"] == 302
    }
    attempted = {r["marker"] for r in records if r["name"] == "post comment"}
    stored = {
        MARKER.search(body).group()
        for (body,) in database.rows(
            "SELECT body FROM forum_comment WHERE body LIKE %s", "%scale-%"
        )
    }
    lost = acknowledged - stored

    commenters = {r["user"] for r in records if r.get("user")}
    logged_out = {r["user"] for r in failed if r.get("user") and "logged out" in (r["error"] or "")}
    both = {
        u
        for u in commenters
        if {"A", "B"}
        <= set().union(
            *(served_by(r, ports) for r in records if r.get("user") == u and not r["error"])
        )
    }

    queued = {
        json.loads(a)["args"][0] if isinstance(a, str) else a["args"][0]
        for (a,) in database.rows(
            "SELECT args_kwargs FROM django_tasks_database_dbtaskresult "
            "WHERE task_path = 'outbox.delivery.deliver'"
        )
    }
    (left,) = database.rows("SELECT count(*) FROM outbox_mail")[0]
    duplicates = len(sink.received) - len(set(sink.received))
    span = ended - began

    def phase(start: float, end: float) -> dict:
        inside = [r for r in records if start <= r["t"] < end]
        return {
            "requests_per_s": round(len(inside) / max(end - start, 0.001), 1),
            "p50_ms": round(percentile([r["ms"] for r in inside], 0.5), 1),
            "p95_ms": round(percentile([r["ms"] for r in inside], 0.95), 1),
        }

    checks = {
        "no comment lost": not lost,
        "no error outside the kill window": not outside,
        "sessions kept across servers": not logged_out and len(both) == len(commenters),
        "published on one server, visible on the other": bool(moderator.checks)
        and all(moderator.checks),
        "comment trees valid": "all valid" in trees,
        "every queued mail delivered once": drained
        and left == 0
        and duplicates == 0
        and len(sink.received) == len(queued),
    }
    return {
        "when": time.strftime("%Y-%m-%d %H:%M", time.localtime(began)),
        "setup": {
            "users": users,
            "gunicorn_workers_per_server": args.workers,
            "duration_s": args.duration,
            "kill_at_s": round(killed_at - began, 1),
            "restart_at_s": round(restarted_at - began, 1),
            "posts": args.posts,
            "cores": os.cpu_count(),
            "load_average_before": round(load[0][0], 1),
            "load_average_after": round(load[1][0], 1),
        },
        "requests": len(records),
        "requests_per_s": round(len(records) / span, 1),
        "phases": {
            "both servers": phase(began, killed_at),
            "A down": phase(killed_at, restarted_at),
            "A back": phase(restarted_at, ended),
        },
        "latency_ms": {
            p: round(percentile(durations, share), 1)
            for p, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))
        },
        "errors": len(failed),
        "errors_in_flight_on_killed_server": len(failed) - len(outside),
        "errors_outside_kill_window": [
            {k: r.get(k) for k in ("t", "name", "status", "error", "by")} for r in outside
        ][:20],
        "comments": {
            "posted": len(attempted),
            "acknowledged": len(acknowledged),
            "stored": len(stored & attempted),
            "stored_without_answer": len((stored & attempted) - acknowledged),
            "lost": sorted(lost),
            "published_by_moderator": moderator.published,
        },
        "sessions": {
            "commenters": len(commenters),
            "logged_out": len(logged_out),
            "served_by_both": len(both),
        },
        "publish_then_read_elsewhere": {
            "checked": len(moderator.checks),
            "visible_at_once": sum(moderator.checks),
        },
        "check_comment_trees": trees,
        "mail": {
            "queued": len(queued),
            "received": len(sink.received),
            "received_twice": duplicates,
            "left_in_outbox": left,
            "queue_drained": drained,
        },
        "checks": checks,
        "passed": all(checks.values()),
    }


def print_report(r: dict) -> None:
    s, c, m, sessions = r["setup"], r["comments"], r["mail"], r["sessions"]
    rows = [
        ("requests", f"{r['requests']:,} in {s['duration_s']} s: {r['requests_per_s']}/s"),
        ("latency p50 / p95 / p99", "{p50} / {p95} / {p99} ms".format(**r["latency_ms"])),
        *(
            (f"  {name}", "{requests_per_s}/s, p50 {p50_ms} ms, p95 {p95_ms} ms".format(**phase))
            for name, phase in r["phases"].items()
        ),
        (
            "errors",
            f"{r['errors']}: {r['errors_in_flight_on_killed_server']} in flight on A when it "
            f"was killed, {len(r['errors_outside_kill_window'])} outside",
        ),
        (
            "comments posted / stored",
            f"{c['posted']} posted, {c['acknowledged']} acknowledged, {c['stored']} stored "
            f"({c['stored_without_answer']} stored without an answer); lost: {len(c['lost'])}",
        ),
        ("held comments published", f"{c['published_by_moderator']}"),
        (
            "sessions across servers",
            f"{sessions['commenters'] - sessions['logged_out']} of {sessions['commenters']} "
            f"commenters stayed logged in, {sessions['served_by_both']} served by both servers",
        ),
        (
            "published on one, read on the other",
            f"{r['publish_then_read_elsewhere']['visible_at_once']} of "
            f"{r['publish_then_read_elsewhere']['checked']} visible at once",
        ),
        ("check_comment_trees", r["check_comment_trees"]),
        (
            "mail",
            f"{m['queued']} queued, {m['received']} delivered, {m['received_twice']} twice, "
            f"{m['left_in_outbox']} left in the outbox",
        ),
    ]
    print(
        f"\nScale-out run, {r['when']}: {s['users']}, A killed at {s['kill_at_s']} s, "
        f"back at {s['restart_at_s']} s; {s['cores']} cores, load average "
        f"{s['load_average_before']} before, {s['load_average_after']} after\n"
    )
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"| {name:<{width}} | {value} |")
    for error in r["errors_outside_kill_window"]:
        print("  outside the kill window:", error)
    failed = [name for name, ok in r["checks"].items() if not ok]
    print("\nPASSED" if not failed else f"\nFAILED: {', '.join(failed)}")


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (pytest.skip.Exception, pytest.fail.Exception) as missing:  # tests.servers.tool()
        sys.exit(f"The scale run needs Debian's nginx, pgbouncer and redis-server: {missing}")
