"""gunicorn's settings for the forum: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

It listens on a unix socket (or a loopback port) only, never on a public address: the
app trusts X-Forwarded-Proto and X-Forwarded-For, which only nginx may set. Under
systemd, forum-web.socket holds the socket and hands it over (gunicorn then ignores
`bind`), so a restart queues requests instead of refusing them.

Environment: GUNICORN_BIND (default unix:/run/forum/gunicorn.sock), GUNICORN_WORKERS
(default 2 per core + 1), LOG_FORMAT (text or json, as the app's own lines).
"""

import os

bind = [os.environ.get("GUNICORN_BIND", "unix:/run/forum/gunicorn.sock")]
# Sync workers: nginx buffers slow clients, so a worker is busy only while Django works.
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1) + 1))
# The socket is read and written by nginx's group (see forum-web.socket when run by
# systemd; here for a socket gunicorn creates itself).
umask = 0o007
# A request taking longer is stuck (the slowest page takes well under a second): its
# worker is killed and replaced. SIGTERM (systemctl stop) lets requests finish for as long.
timeout = 30
graceful_timeout = 30
# Recycle workers now and then, so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# The app is loaded by each worker: `systemctl reload forum-web` (SIGHUP) starts new
# workers on new code without closing the socket.
preload_app = False
# gunicorn 27's control socket lives in $HOME by default, which the units keep read-only,
# and would be shared by two servers on one host; systemctl's signals do its work here.
control_socket_disable = True

# gunicorn's own lines (boot, worker timeouts) in the app's format. Access lines are
# nginx's (with the same request id), so gunicorn writes none.
_formatter = "JsonFormatter" if os.environ.get("LOG_FORMAT") == "json" else "TextFormatter"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"forum": {"()": f"config.logs.{_formatter}"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "forum",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"handlers": ["stderr"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
    },
}
