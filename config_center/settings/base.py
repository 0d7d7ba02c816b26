"""All settings of the console, read from the environment in this one place.

Environment variables (documented in README.md):
``DATABASE_URL``  any dj-database-url URL; default: SQLite file ``var/console.sqlite3``.
``REDIS_URL``     when set: django-q2 Redis broker and Django cache on Redis;
                  when unset: django-q2 ORM broker and the local-memory cache.
``SECRET_KEY``    required when ``DEBUG`` is off.
``ALLOWED_HOSTS`` comma-separated; default ``127.0.0.1,localhost`` (``*`` is refused when DEBUG is off).
``DEBUG``         ``1``/``0``; default ``1`` (development).
``DATABASE_REPLICA_URL``  optional read replica: the 业务状态查询 listing and the exports read there (core.replica).
``MEDIA_S3_BUCKET`` (+ ``MEDIA_S3_*``)  case files on S3-compatible storage (django-storages) instead of MEDIA_ROOT.
``SESSION_IDLE_MINUTES``  a console session ends after this long without a request; default 30.
The gunicorn settings of a web node (``WEB_*``) are read by config_center/deploy/gunicorn.conf.py.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("CONSOLE_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean environment variable; refuse anything that is not clearly yes or no."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected 1/0, true/false, yes/no or on/off")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

# Each process keeps the published configuration fresh with a watcher thread (config_center.runtime.holder) and
# records what it serves in ServingProcess; tests that run inside one transaction turn both off.
RUNTIME_WATCH = env_bool("RUNTIME_WATCH", True)
RUNTIME_REPORT = env_bool("RUNTIME_REPORT", True)

_INSECURE_DEV_KEY = "django-insecure-development-only-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", "" if not DEBUG else _INSECURE_DEV_KEY)
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _INSECURE_DEV_KEY):
    raise ImproperlyConfigured("DEBUG=0 needs a real SECRET_KEY in the environment")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    # django-admin-interface must come before django.contrib.admin.
    "admin_interface",
    "colorfield",
    "config_center.project.admin_site.ConsoleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "import_export",
    "django_q",
    "axes",
    "ninja",
    "catalog",
    "sms_templates",
    "permissions",
    "config_center",
    "routing",
]

MIDDLEWARE = [
    # /healthz answers before anything else: for any Host a load balancer sends, over plain HTTP, no session.
    "config_center.project.health.HealthCheckMiddleware",
    # A database lock or outage met in a view answers 503 "please wait", not 500.
    "core.middleware.DatabaseBusyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (compressed, hashed names when DEBUG=0) straight from STATIC_ROOT, before sessions and the rest.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    # Django's, except that a database lost after the view does not undo a committed answer (core/middleware.py).
    "core.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # axes must be last: it turns lockouts into responses.
    "axes.middleware.AxesMiddleware",
]
# The API's open reads sent without a session cookie are served by a second handler (core.sessionless,
# config_center/wsgi.py) whose middleware are MIDDLEWARE without these — nothing of theirs concerns such a request —
# and with the session middleware's place taken by one making the request anonymous at once (no session cookie:
# nobody signed in). A middleware added above runs for them too unless it is named here.
SESSIONLESS_SKIPS = [
    "config_center.project.health.HealthCheckMiddleware",  # /healthz only
    "whitenoise.middleware.WhiteNoiseMiddleware",  # STATIC_URL only
    "django.middleware.csrf.CsrfViewMiddleware",  # the reads are CSRF-exempt; no cookie, no token to check
    "django.contrib.auth.middleware.AuthenticationMiddleware",  # anonymous: the session's place says so
    "django.contrib.messages.middleware.MessageMiddleware",  # nothing shown, nothing stored
    "simple_history.middleware.HistoryRequestMiddleware",  # nothing written
    "axes.middleware.AxesMiddleware",  # login lockouts only
]

ROOT_URLCONF = "config_center.project.urls"
WSGI_APPLICATION = "config_center.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config_center" / "templates"],
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

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'console.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# An optional read replica: the 业务状态查询 listing and the exports read there inside core.replica.replica_reads();
# every other read, and every write, stays on default (read-your-own-writes). Tests mirror it onto default.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
        test_options={"MIRROR": "default"},
    )
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (server, django-q2 worker) share the file: wait for locks rather than fail.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# django-q2. retry must exceed timeout (and the longest task) or tasks run twice; max_attempts and
# ack_failures are set on purpose rather than left to their defaults (infinite, false).
Q_CLUSTER = {
    "name": "console",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    "timeout": 60,
    "retry": 120,
    "max_attempts": 5,
    "ack_failures": True,
    "catch_up": False,
    "label": _("后台任务"),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "permissions.backends.AuthenticationOnlyBackend",
    "permissions.backends.ScopedRoleBackend",
]
# Lock a user name after 5 failures, a client address after 30 (over any names), for 30 minutes from
# the lockout: failures during a lockout do not extend it (config_center/project/login.py).
LOGIN_FAILURE_LIMIT_PER_USER = int(os.environ.get("LOGIN_FAILURE_LIMIT_PER_USER", "5"))
LOGIN_FAILURE_LIMIT_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURE_LIMIT_PER_ADDRESS", "30"))
AXES_FAILURE_LIMIT = "config_center.project.login.failure_limit"
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# The client's address: REMOTE_ADDR, unless TRUSTED_PROXY_COUNT reverse proxies put it in X-Forwarded-For.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
# Chinese only: the source strings are Chinese, so another language would show a mixture.
LANGUAGES = [("zh-hans", _("简体中文"))]
LOCALE_PATHS = [BASE_DIR / "config_center" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns at every start when it is missing

# Case files (影像): Django's default storage, under var/media unless MEDIA_ROOT says otherwise; served
# only through the console's own views (permission-checked), never as public static files. With several
# web or django-q2 nodes, MEDIA_ROOT must be one shared volume, or the files go to an S3-compatible bucket.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"


def media_storage(environ) -> dict:
    """STORAGES["default"]: MEDIA_ROOT, or an S3-compatible bucket when MEDIA_S3_BUCKET names one (django-storages,
    the optional extra "s3", imported by Django only when the storage is first used). Private objects: a case
    file is read through the console's permission-checked view, never by a public or signed URL. Without
    MEDIA_S3_ACCESS_KEY_ID the keys come from boto3's usual chain (AWS_* variables, an instance role)."""
    bucket = environ.get("MEDIA_S3_BUCKET", "")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": environ.get("MEDIA_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("MEDIA_S3_REGION") or None,
            "access_key": environ.get("MEDIA_S3_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("MEDIA_S3_SECRET_ACCESS_KEY") or None,
            "location": environ.get("MEDIA_S3_PREFIX", "media"),
            "addressing_style": environ.get("MEDIA_S3_ADDRESSING_STYLE") or None,
            "default_acl": "private",
            "file_overwrite": False,  # never replace a stored file (the names are random anyway)
            "querystring_auth": True,
        },
    }


STORAGES = {
    "default": media_storage(os.environ),
    # DEBUG=0: collectstatic writes hashed names (cached for ever by browsers) and gzip/brotli copies that
    # whitenoise serves by Accept-Encoding. DEBUG=1 (development, tests): files as they are, from the apps.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
CASE_FILE_MAX_BYTES = int(os.environ.get("CASE_FILE_MAX_BYTES", str(10 * 1024 * 1024)))
CASE_FILES_PER_UPLOAD = int(os.environ.get("CASE_FILES_PER_UPLOAD", "20"))
# 联办申请 (一件事一次办): the whole application's own deadline, in calendar days from its submission (seed 001:
# from application to payment "最长不超过 30 天"); each of its cases keeps its own deadline in working days.
JOINT_APPLICATION_DAYS = int(os.environ.get("JOINT_APPLICATION_DAYS", "30"))
# How long an Idempotency-Key of an API write is kept (a client's retry within this answers what the first try
# made); the schedule 幂等键清理 deletes older ones daily.
IDEMPOTENCY_KEY_DAYS = int(os.environ.get("IDEMPOTENCY_KEY_DAYS", "7"))

# Everything from this site only: no script, style, image, font or fetch from elsewhere (an injection
# cannot load or send anything off-site), no plugins, no <base> tricks, forms post here, no framing by
# others. Inline script and style stay allowed because django-admin-interface and django-import-export
# put event handlers and theme colours inline in their templates. Checked in the browser tests.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ]
)

# django-admin-interface renders the admin in frames for its related-object popups.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]

LOGIN_URL = "admin:login"

if not DEBUG:
    if "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS=* is refused when DEBUG=0")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # A load balancer probes /healthz over plain HTTP (HealthCheckMiddleware answers it first anyway).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True

# Console sessions end after SESSION_IDLE_MINUTES without a request: every request of a signed-in user moves
# the expiry forward (one UPDATE of the session row), so the age is an idle timeout, not a working day.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # A 4xx with a reason code is an answer, not an incident (the runtime API refuses by design).
        "django.request": {"level": "ERROR"},
    },
}

# What one request and one spreadsheet may cost. Django's own limits cap request bodies read into memory
# (uploaded files beyond FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file); IMPORT_LIMITS caps an import
# (core.spreadsheets.reading): file size, unpacked xlsx size, data rows per sheet, columns, characters per cell.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2 * 1024 * 1024)))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
IMPORT_LIMITS = {
    "max_file_bytes": int(os.environ.get("IMPORT_MAX_FILE_MB", "20")) * 1024 * 1024,
    # An xlsx is read twice (values and formulas), each copy holding its shared strings: keep this modest.
    "max_unpacked_bytes": int(os.environ.get("IMPORT_MAX_UNPACKED_MB", "100")) * 1024 * 1024,
    "max_rows": int(os.environ.get("IMPORT_MAX_ROWS", "200000")),
    "max_columns": 60,
    "max_cell_chars": 2_000,
}

# django-import-export: only users holding these permissions may import/export (none by default).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

# ---- SMS delivery (sms_templates outbox, gateways, sweeper, 催办) ---------------------------------
# SMS_GATEWAY_BACKEND: dotted path of the gateway class; the console backend only logs.
# SMS_GATEWAY_URL / _USERNAME / _PASSWORD / _TOKEN: the HTTP gateway (Basic auth, or a bearer token).
# Timeouts in seconds; the worst delivery (connect + read) must stay well under Q_CLUSTER["timeout"].
SMS_GATEWAY_BACKEND = os.environ.get("SMS_GATEWAY_BACKEND", "sms_templates.gateways.ConsoleGateway")
SMS_HTTP_GATEWAY = {
    "URL": os.environ.get("SMS_GATEWAY_URL", ""),
    "USERNAME": os.environ.get("SMS_GATEWAY_USERNAME", ""),
    "PASSWORD": os.environ.get("SMS_GATEWAY_PASSWORD", ""),
    "TOKEN": os.environ.get("SMS_GATEWAY_TOKEN", ""),
    "CONNECT_TIMEOUT": float(os.environ.get("SMS_GATEWAY_CONNECT_TIMEOUT", "3")),
    "READ_TIMEOUT": float(os.environ.get("SMS_GATEWAY_READ_TIMEOUT", "10")),
}
# Transient gateway errors are retried after BACKOFF * 2**(attempt-1) seconds (capped), up to
# SMS_MAX_ATTEMPTS sends in all; the sweeper (every minute) re-enqueues due retries and rows stuck in
# queued/sending for SMS_STALE_SECONDS (must exceed Q_CLUSTER["timeout"]: a live send is never swept).
SMS_MAX_ATTEMPTS = int(os.environ.get("SMS_MAX_ATTEMPTS", "6"))
SMS_RETRY_BACKOFF_SECONDS = float(os.environ.get("SMS_RETRY_BACKOFF_SECONDS", "30"))
SMS_RETRY_BACKOFF_MAX_SECONDS = float(os.environ.get("SMS_RETRY_BACKOFF_MAX_SECONDS", "1800"))
SMS_STALE_SECONDS = int(os.environ.get("SMS_STALE_SECONDS", "300"))
SMS_SWEEP_BATCH = int(os.environ.get("SMS_SWEEP_BATCH", "2000"))
# 催办短信: sent when at most this many working days remain; the schedule's cron (server time zone).
SMS_REMINDER_THRESHOLD_DAYS = int(os.environ.get("SMS_REMINDER_THRESHOLD_DAYS", "3"))
SMS_REMINDER_CRON = os.environ.get("SMS_REMINDER_CRON", "0 9 * * *")
# Where 催办 finds open cases: a dotted path to a ReminderSource class (the cases issue plugs in its own).
SMS_REMINDER_SOURCE = os.environ.get("SMS_REMINDER_SOURCE", "routing.reminders.CaseReminderSource")
# ---- end of SMS delivery ---------------------------------------------------------------------------

# ---- API clients (permissions.ApiClient: bearer tokens of other systems) ------------------------------
# API_READS_REQUIRE_CLIENT: 1 closes the catalog, checklist and route reads to callers without a client of scope
# "reads" (or a console session); 0 (default) leaves them open to the intranet. API_CLIENT_RATE_LIMIT: a new
# client's requests per minute. API_CLIENT_CACHE_SECONDS: how long a process keeps a token's client in memory
# (a revoke or rotation reaches every process at once through the cache; this bounds it should the cache lose it).
API_READS_REQUIRE_CLIENT = env_bool("API_READS_REQUIRE_CLIENT", False)
API_CLIENT_RATE_LIMIT = int(os.environ.get("API_CLIENT_RATE_LIMIT", "600"))
API_CLIENT_CACHE_SECONDS = float(os.environ.get("API_CLIENT_CACHE_SECONDS", "60"))
