"""Settings for the On Probation Forum, read from the environment.

Development needs no variables at all (SQLite file, local-memory cache, console email).
Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL (PostgreSQL) and
CACHE_URL (Redis), so app servers keep no state of their own.
"""

import os
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
import dj_email_url
from django.core.exceptions import ImproperlyConfigured

from config.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "accounts",
    "forum",
    "archive_import",
    "moderation",  # before the admin: its templates add the queue count to the admin index
    "search",
    "outbox",
    "watching",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "mptt",
    "django_filters",
    "allauth",
    "allauth.account",
    "django_tasks",
    "django_tasks_db",
    "dbbackup",
    "config.apps.ProjectConfig",
]
if os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")):
    INSTALLED_APPS.append("django.contrib.postgres")

MIDDLEWARE = [
    "config.middleware.RequestIdMiddleware",
    # /healthz and /readyz, answered before the host check and the HTTPS redirect.
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, precompressed by collectstatic
    "forum.compression.PublicPageGZipMiddleware",  # HTML without secrets only (BREACH)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite file by default; DATABASE_URL=postgres://... selects psycopg 3.
# Connections live across requests on both engines: opening SQLite's costs about 1 ms
# (the file, the PRAGMAs below, its schema), as much as rendering a small page.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL: readers never block the writer and small writes are ~4x faster. A busy
    # timeout and IMMEDIATE transactions stop "database is locked" under concurrent writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
# Behind a pooler in transaction mode (pgbouncer's pool_mode = transaction), consecutive
# transactions of one connection may run on different server connections, where a
# cursor held across them (QuerySet.iterator()'s WITH HOLD cursor, as allauth's admin
# uses) does not exist. Django's psycopg cursors bind parameters client-side, so no
# prepared statement is at risk.
DATABASE_TRANSACTION_POOLING = env_bool("DATABASE_TRANSACTION_POOLING", False)
if DATABASE_TRANSACTION_POOLING:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Backups (django-dbbackup): `manage.py dbbackup` writes the whole database to BACKUP_DIR
# (pg_dump's custom format, or SQLite's online backup), `dbrestore` brings it back;
# `dbbackup --clean` keeps the newest BACKUP_KEEP. See the README's "Backups".
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", BASE_DIR / "backups"))
DBBACKUP_CLEANUP_KEEP = int(os.environ.get("BACKUP_KEEP", "14"))
# SQLite is restored through its backup API into the live database (config.backups).
DBBACKUP_CONNECTOR_MAPPING = {"django.db.backends.sqlite3": "config.backups.SqliteConnector"}
# A failed backup is an error like any other: Sentry or ADMINS (config.logs), not a mail
# of dbbackup's own.
DBBACKUP_SEND_EMAIL = False

# Cache: Redis when CACHE_URL is set, else per-process memory. Redis goes through
# config.cache: an unreachable server makes pages slower, never a 500. Short socket
# timeouts bound what the first request of an outage waits (a server that accepts and
# never answers would hold it 5 s by default); then the process goes without Redis for
# CACHE_RETRY_AFTER seconds before trying it again.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "opf"),
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("CACHE_CONNECT_TIMEOUT", "0.25")),
                "socket_timeout": float(os.environ.get("CACHE_SOCKET_TIMEOUT", "0.5")),
                "RETRY_AFTER": float(os.environ.get("CACHE_RETRY_AFTER", "5")),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Seconds an anonymous reader's page may be served from the cache.
FORUM_PAGE_CACHE_SECONDS = int(os.environ.get("FORUM_PAGE_CACHE_SECONDS", "60"))

# Sessions live in the database, so any app server can serve any request, and not in
# the cache as well: cached_db trusts its cached copy, so a logout whose cache delete
# was lost to a Redis outage would come back to life when Redis does.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"

# Accounts (django-allauth 65): email + password, the address verified before anyone can
# log in (so before a first comment). allauth derives the internal username from the
# email; the public only ever sees the display name or "Anonymous".
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True  # one address per account, replaced once the new one is verified
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD = "website"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"  # failed logins per (address, account)
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}  # its spam trap hidden, not off-screen
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[On Probation Forum] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_EMAIL_NOTIFICATIONS = True  # tell the owner when their password or email changes
# Counted in the cache, so with CACHE_URL (Redis) every app server shares the counts.
ACCOUNT_RATE_LIMITS = {
    "login": "20/m/ip",
    # Failures per client address (a minute: a whole office may share one), and per
    # (address, account) (accounts.adapter) with a longer wait after each threshold: 5 in
    # 5 minutes, 10 in an hour, 20 in a day. None is per account alone, so a stranger's
    # guesses cannot lock the owner out.
    "login_failed": "10/m/ip,5/5m/key,10/h/key,20/d/key",
    "signup": "5/m/ip,20/h/ip",
}
# Behind N reverse proxies the client's IP is the Nth address from the right of
# X-Forwarded-For; 0 means REMOTE_ADDR (no proxy).
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Background work: Django's tasks API (the django-tasks backport) on the database, so it
# needs no other service and is the same on SQLite and PostgreSQL; `manage.py db_worker`
# runs the tasks, any number of them side by side.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Email: every mail is queued (outbox) and delivered by the task worker with
# OUTBOX_BACKEND: the console by default; EMAIL_URL=smtp://user:pass@host:587/?tls=True
# for SMTP. No request ever opens an SMTP connection.
EMAIL_BACKEND = "outbox.backends.QueuedEmailBackend"
EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL:
    email_config = dj_email_url.parse(EMAIL_URL)
    OUTBOX_BACKEND = email_config.pop("EMAIL_BACKEND")
    vars().update(email_config)
else:
    OUTBOX_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Seconds the worker waits for the mail server to connect or answer (EMAIL_URL's
# ?timeout= if it has one).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT") or globals().get("EMAIL_TIMEOUT") or 10)
# Seconds before each new attempt at a mail the server refused; after the last, the mail
# stays in the outbox as failed for the operator (`manage.py outbox`).
OUTBOX_RETRY_DELAYS = [60, 300, 1800, 7200, 21600]
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "On Probation Forum <forum@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# collectstatic's output, which nginx serves (deploy/nginx/forum.conf).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "dbbackup": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": BACKUP_DIR},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Logs: one line per event on stderr (journald, docker...), with time, level, logger and
# request id; LOG_FORMAT=json for one JSON object per line. See config.logs.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'text' or 'json'.")

# Errors: Sentry when SENTRY_DSN is set; otherwise mail to ADMINS ("Name <address>, ...").
# Neither ever carries comment text or an email address (config.errors).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
ADMINS = [
    (name or address, address)
    for name, address in getaddresses(env_list("ADMINS"))
    if "@" in address
]
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.errors.PrivateExceptionReporterFilter"
LOGGING = logging_config(
    LOG_FORMAT,
    os.environ.get("LOG_LEVEL", "INFO"),
    mail_admins=bool(ADMINS) and not SENTRY_DSN,
)
if SENTRY_DSN:
    from config.errors import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", ""),
        release=os.environ.get("SENTRY_RELEASE", ""),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )

# Forum rules (issues 5 and 6 build on these).
FORUM_MAX_DEPTH = int(os.environ.get("FORUM_MAX_DEPTH", "3"))
FORUM_AUTO_APPROVE_AFTER = int(os.environ.get("FORUM_AUTO_APPROVE_AFTER", "3"))
FORUM_FLAGS_TO_HIDE = int(os.environ.get("FORUM_FLAGS_TO_HIDE", "3"))
# Above this many top-level comments a post's thread is paged (issue 19).
FORUM_THREAD_PAGE_SIZE = int(os.environ.get("FORUM_THREAD_PAGE_SIZE", "200"))
# Seconds a moderator's bulk action waits for a lock (PostgreSQL) before it is rolled back
# with a "nothing was changed, try again" message, instead of hanging the admin request.
FORUM_MODERATION_LOCK_TIMEOUT = float(os.environ.get("FORUM_MODERATION_LOCK_TIMEOUT", "10"))
# Notification mails are sent after commit, outside any request: links need the site's origin.
FORUM_SITE_URL = os.environ.get("FORUM_SITE_URL", "http://127.0.0.1:8000")
FORUM_COMMENT_MAX_LENGTH = int(os.environ.get("FORUM_COMMENT_MAX_LENGTH", "5000"))
# An imported post body or comment longer than this rejects its file (FILE:LINE): far
# above the real archive's largest (44,491 and 2,691 characters), they stop runaway input.
FORUM_IMPORT_MAX_POST_CHARS = int(os.environ.get("FORUM_IMPORT_MAX_POST_CHARS", "200000"))
FORUM_IMPORT_MAX_COMMENT_CHARS = int(os.environ.get("FORUM_IMPORT_MAX_COMMENT_CHARS", "20000"))
# Per user, counted in the cache by django-ratelimit (not in INSTALLED_APPS: its system
# check rejects the local-memory cache that development uses).
FORUM_COMMENT_RATE = os.environ.get("FORUM_COMMENT_RATE", "5/m")
# Searches per client address (django-ratelimit's "ip" key, read as below), counted in the
# cache like the comment rate; a whole office behind one address shares them. Slow
# searches (over a quarter of the time budget below) also count against the second rate.
FORUM_SEARCH_RATE = os.environ.get("FORUM_SEARCH_RATE", "30/m")
FORUM_SEARCH_SLOW_RATE = os.environ.get("FORUM_SEARCH_SLOW_RATE", "5/m")
# The client address of django-ratelimit's "ip" key: allauth's (TRUSTED_PROXY_COUNT above),
# so every rate limit of the site counts the same client; IPv6 by its /64, the default.
RATELIMIT_IP_META_KEY = "config.clients.client_ip"
# Milliseconds of database time one search may use (search.budget); 0 means no limit.
FORUM_SEARCH_BUDGET_MS = int(os.environ.get("FORUM_SEARCH_BUDGET_MS", "1000"))
