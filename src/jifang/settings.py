"""Jifang settings. Everything that differs between machines comes from the environment:

JIFANG_DATABASE_URL   postgres://user:pass@host:5432/db (else an SQLite file under JIFANG_VAR_DIR)
JIFANG_VAR_DIR        where local state lives (default ./var): SQLite file, generated secret key, uploads
JIFANG_SECRET_KEY     required in production; for local use one is generated on first run
JIFANG_DEBUG          1 for development error pages (default 0)
JIFANG_PRODUCTION     1 turns on HTTPS-only cookies, HSTS and the other `check --deploy` settings
JIFANG_ALLOWED_HOSTS  comma-separated (default 127.0.0.1,localhost)
JIFANG_PUBLIC_BASE_URL  the address printed on documents (default http://JIFANG_BIND)
JIFANG_PLATFORM_KEY / JIFANG_PLATFORM_KEY_FILE   the platform's Ed25519 key (core.platform_key);
                      required in production, a development key is generated under JIFANG_VAR_DIR
"""
import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("JIFANG_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)
PRODUCTION = os.environ.get("JIFANG_PRODUCTION") == "1"
DEBUG = os.environ.get("JIFANG_DEBUG") == "1"


def _secret_key() -> str:
    """In production the key must come from the environment; locally it is made once and kept."""
    if key := os.environ.get("JIFANG_SECRET_KEY"):
        return key
    if PRODUCTION:
        raise RuntimeError("JIFANG_SECRET_KEY must be set when JIFANG_PRODUCTION=1")
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = os.environ.get("JIFANG_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("JIFANG_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "jifang.core",
    "jifang.accounts",
    "jifang.registry",
    "jifang.regulation",
    "jifang.works",
    "jifang.enforcement",
    "jifang.duties",
    "jifang.national",
    "jifang.alarms",
    "jifang.video",
    "jifang.dashboards",
    "jifang.notifications",
    "jifang.demo",
    "jifang.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "jifang.core.middleware.NoStoreMiddleware",  # signed-in pages, API answers, documents: no-store
]

ROOT_URLCONF = "jifang.urls"
WSGI_APPLICATION = "jifang.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jifang.core.context_processors.jifang",
            ],
        },
    }
]


def _database() -> dict:
    url = os.environ.get("JIFANG_DATABASE_URL")
    if url:
        db = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        db.setdefault("TEST", {})
        return db
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": VAR_DIR / "jifang.sqlite3",
        # WAL lets readers work while one writer commits; IMMEDIATE avoids "database is locked"
        # surprises when a read transaction later tries to write.
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASES = {"default": _database()}

# Background work (issue 14 §2): Django's task framework on the database (jifang.jobs.backend; why
# not django-tasks-db: see its docstring). `jifang worker` runs the queue, `jifang scheduler` the
# periodic jobs; both are started by `jifang up`. A failed task is tried JIFANG_TASK_MAX_ATTEMPTS times.
TASKS = {
    "default": {
        "BACKEND": "jifang.jobs.backend.DatabaseBackend",
        "QUEUES": ["default", "rechecks", "imports"],
        "OPTIONS": {"MAX_ATTEMPTS": int(os.environ.get("JIFANG_TASK_MAX_ATTEMPTS", "3"))},
    }
}
# A write touching more sites than this (an import) is rechecked by one full run (regulation.rechecks).
JIFANG_RECHECK_MAX_SITES = int(os.environ.get("JIFANG_RECHECK_MAX_SITES", "1000"))
# sites rechecked by one engine run (a batch); a backlog is worked off in runs of this many
JIFANG_RECHECK_BATCH = int(os.environ.get("JIFANG_RECHECK_BATCH", "256"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lockout: five failures for one username from one address lock it for an hour.
AXES_FAILURE_LIMIT = int(os.environ.get("JIFANG_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS: list = []  # each app keeps its own locale/ beside its templates
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)

def _vendor_static() -> list:
    """Bootstrap comes from a Python package (bootstrap-wrapper), htmx from django-htmx: no CDN."""
    from bootstrap_wrapper import get_bootstrap_dir

    return [("vendor/bootstrap", str(get_bootstrap_dir()))]


STATICFILES_DIRS = _vendor_static()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(os.environ.get("JIFANG_MEDIA_DIR", VAR_DIR / "media"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
JIFANG_IMPORT_MAX_BYTES = int(os.environ.get("JIFANG_IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))
# Bounds checked while a file is read, before its rows are (docs/import-format.md, "Limits"): a
# hostile workbook (a cell declared at XFD1048576, a zip that inflates a thousandfold, a million
# rows in 164 KB) is refused with one message instead of taking the worker's memory.
JIFANG_IMPORT_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("JIFANG_IMPORT_MAX_UNCOMPRESSED_BYTES", str(256 * 1024 * 1024)))
JIFANG_IMPORT_MAX_ROWS = int(os.environ.get("JIFANG_IMPORT_MAX_ROWS", "200000"))
JIFANG_IMPORT_MAX_COLUMNS = int(os.environ.get("JIFANG_IMPORT_MAX_COLUMNS", "100"))
JIFANG_IMPORT_MAX_CELLS = int(os.environ.get("JIFANG_IMPORT_MAX_CELLS", "5000000"))
JIFANG_IMPORT_MAX_CELL_CHARS = int(os.environ.get("JIFANG_IMPORT_MAX_CELL_CHARS", "32767"))  # Excel's own limit

# Bounds on numbers and dates that make sense (docs/operations.md): a rectification deadline at
# most this many days after service; a system's configured retention at most this many days.
JIFANG_ORDER_DEADLINE_MAX_DAYS = int(os.environ.get("JIFANG_ORDER_DEADLINE_MAX_DAYS", "365"))
JIFANG_RETENTION_DAYS_MAX = int(os.environ.get("JIFANG_RETENTION_DAYS_MAX", "3650"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "jifang.accounts.authentication.LockoutAwareTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "jifang.core.parsers.BoundedJSONParser",  # a 100,000-deep body is a 400, not a RecursionError
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "jifang.core.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Jifang 技防 API",
    "DESCRIPTION": "Registry, findings, works and enforcement under 昆明市公共安全技术防范管理规定 (2012).",
    "VERSION": "1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # `check --deploy` is the operator's gate on the deployment; schema quality is the developers'
    # and is enforced by tests/accounts/test_api.py (`spectacular --validate --fail-on-warn`).
    "ENABLE_DJANGO_DEPLOY_CHECK": False,
    # Many models have a `status` or `kind`: each choice set gets its own name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "DispatchTargetEnum": "jifang.alarms.models.DispatchTarget",
        "FootageUseKindEnum": "jifang.duties.models.FootageUseKind",
        "EnforcementDocumentKindEnum": "jifang.enforcement.models.DocumentKind",
        "InspectionKindEnum": "jifang.enforcement.models.InspectionKind",
        "DeviceKindEnum": "jifang.registry.models.DeviceKind",
        "UnitKindEnum": "jifang.registry.models.UnitKind",
        "WorksDocumentKindEnum": "jifang.works.models.DocumentKind",
        "NotificationKindEnum": "jifang.works.models.NotificationKind",
        "WorksKindEnum": "jifang.works.models.WorksKind",
        "AlarmEventStatusEnum": "jifang.alarms.models.EventStatus",
        "CaseStatusEnum": "jifang.enforcement.models.CaseStatus",
        "ComplaintStatusEnum": "jifang.enforcement.models.ComplaintStatus",
        "OrderStatusEnum": "jifang.enforcement.models.OrderStatus",
        "DeviceStatusEnum": "jifang.registry.models.DeviceStatus",
        "SystemStatusEnum": "jifang.registry.models.SystemStatus",
        "FindingStatusEnum": "jifang.regulation.models.FindingStatus",
        "ChannelStatusEnum": "jifang.video.models.ChannelStatus",
        "NoticeStatusEnum": "jifang.works.models.NoticeStatus",
        "WorksStatusEnum": "jifang.works.models.WorksStatus",
    },
}

# Nothing is loaded from outside: every script, style and font is served by Jifang itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "script-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("JIFANG_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JIFANG_LOG_LEVEL", "WARNING")},
}

# Outside production, WhiteNoise serves static files straight from the apps (no collectstatic step).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
JIFANG_BIND = os.environ.get("JIFANG_BIND", "127.0.0.1:8000")
# The DC-09 alarm receiver (jifang alarm-receiver, started by jifang up): TCP and UDP on one port.
JIFANG_ALARM_BIND = os.environ.get("JIFANG_ALARM_BIND", "127.0.0.1:7701")
# The receiver's event loop: "auto" (uvloop when installed, else asyncio's own), "uvloop" or "asyncio".
JIFANG_ALARM_LOOP = os.environ.get("JIFANG_ALARM_LOOP", "auto")
# Accepted panel clock offset for encrypted messages, seconds (before, after) the receiver's clock.
# Batches a receiver has in PostgreSQL at once (each on its own connection); SQLite always one.
JIFANG_ALARM_WRITERS = int(os.environ.get("JIFANG_ALARM_WRITERS", "2"))
JIFANG_ALARM_WINDOW = tuple(int(x) for x in os.environ.get("JIFANG_ALARM_WINDOW", "-40,20").split(","))
# The address people reach Jifang at, printed in full on official documents (the verification
# address). Set it in production to the public name (https://jifang.km.gov.cn); the default is
# the local server.
JIFANG_PUBLIC_BASE_URL = os.environ.get("JIFANG_PUBLIC_BASE_URL", f"http://{JIFANG_BIND}")

# Enforcement (art_23-25). The default correction period is *local policy*, not law: the officer
# sets each deadline; this only pre-fills the form and is shown as policy. Signing keys of officers
# are encrypted at rest with a key derived from JIFANG_SIGNING_SECRET (else SECRET_KEY).
JIFANG_RECTIFICATION_DEFAULT_DAYS = int(os.environ.get("JIFANG_RECTIFICATION_DEFAULT_DAYS", "30"))
JIFANG_SIGNING_SECRET = os.environ.get("JIFANG_SIGNING_SECRET", "")
JIFANG_EVIDENCE_MAX_BYTES = int(os.environ.get("JIFANG_EVIDENCE_MAX_BYTES", str(5 * 1024 * 1024)))
# Reports from the public (jifang.national, order 799 art. 24): photos per report and their size, and
# how many reports one network address may send per window before it is asked to wait.
JIFANG_PUBLIC_REPORT_MAX_PHOTOS = int(os.environ.get("JIFANG_PUBLIC_REPORT_MAX_PHOTOS", "3"))
JIFANG_PUBLIC_REPORT_PHOTO_MAX_BYTES = int(os.environ.get("JIFANG_PUBLIC_REPORT_PHOTO_MAX_BYTES", str(5 * 1024 * 1024)))
JIFANG_PUBLIC_REPORT_LIMIT = int(os.environ.get("JIFANG_PUBLIC_REPORT_LIMIT", "5"))
JIFANG_PUBLIC_REPORT_WINDOW_SECONDS = int(os.environ.get("JIFANG_PUBLIC_REPORT_WINDOW_SECONDS", "3600"))

# Video networking gateway (GB/T 28181, docs/video-networking.md). The platform's 20-digit ID and
# realm (its first 10 digits by convention); the password of devices without their own; a device is
# offline after JIFANG_SIP_KEEPALIVE_MISSED keepalive intervals of silence.
JIFANG_SIP_BIND = os.environ.get("JIFANG_SIP_BIND", "127.0.0.1:5060")
JIFANG_SIP_ID = os.environ.get("JIFANG_SIP_ID", "53010000002000000001")
JIFANG_SIP_REALM = os.environ.get("JIFANG_SIP_REALM", JIFANG_SIP_ID[:10])
JIFANG_SIP_DEFAULT_PASSWORD = os.environ.get("JIFANG_SIP_DEFAULT_PASSWORD", "12345678")
JIFANG_SIP_KEEPALIVE_SECONDS = float(os.environ.get("JIFANG_SIP_KEEPALIVE_SECONDS", "60"))
JIFANG_SIP_KEEPALIVE_MISSED = int(os.environ.get("JIFANG_SIP_KEEPALIVE_MISSED", "3"))
JIFANG_SIP_CATALOG_SECONDS = float(os.environ.get("JIFANG_SIP_CATALOG_SECONDS", "3600"))
JIFANG_SIP_PROOF_SECONDS = float(os.environ.get("JIFANG_SIP_PROOF_SECONDS", "86400"))
JIFANG_SIP_ANSWER_TIMEOUT = float(os.environ.get("JIFANG_SIP_ANSWER_TIMEOUT", "10"))
JIFANG_SIP_RATE = float(os.environ.get("JIFANG_SIP_RATE", "50"))          # messages/s per source address
JIFANG_SIP_BURST = int(os.environ.get("JIFANG_SIP_BURST", "200"))
# The gateway's event loop: "auto" (uvloop when installed, else asyncio's own), "uvloop" or "asyncio".
JIFANG_SIP_LOOP = os.environ.get("JIFANG_SIP_LOOP", "auto")
# Whether the gateway marks silent devices offline itself. Off: `jifang scheduler` (started by
# `jifang up`) runs the video.offline_sweep job; a gateway run alone needs --sweep (or this on).
JIFANG_SIP_SWEEP = os.environ.get("JIFANG_SIP_SWEEP", "").lower() in ("1", "true", "yes", "on")

# The platform's own Ed25519 key (core.platform_key), never stored in the database: it signs officer
# key enrolments and the audit chain's checkpoints. Production requires one of the first two.
JIFANG_PLATFORM_KEY = os.environ.get("JIFANG_PLATFORM_KEY", "")
JIFANG_PLATFORM_KEY_FILE = os.environ.get("JIFANG_PLATFORM_KEY_FILE", "")
JIFANG_PLATFORM_TRUSTED_KEYS = [k.strip() for k in os.environ.get("JIFANG_PLATFORM_TRUSTED_KEYS", "").split(",")
                                if k.strip()]
# A signed checkpoint of the audit chain's head every this many entries (and at every signed document,
# and whenever `jifang audit checkpoint` runs, e.g. hourly from cron).
JIFANG_AUDIT_CHECKPOINT_EVERY = int(os.environ.get("JIFANG_AUDIT_CHECKPOINT_EVERY", "1000"))
JIFANG_HOLIDAY_OVERRIDE_FILE = os.environ.get("JIFANG_HOLIDAY_OVERRIDE_FILE", "")  # regulation/periods.py

# Notifications (jifang.notifications, docs/operations.md "Notification delivery"): the gateway of
# each channel (file | console | email | http) and where the file gateway writes.
JIFANG_NOTIFY_GATEWAYS = {"email": os.environ.get("JIFANG_NOTIFY_EMAIL_GATEWAY", "file"),
                          "sms": os.environ.get("JIFANG_NOTIFY_SMS_GATEWAY", "file")}
JIFANG_NOTIFY_OUTBOX_DIR = Path(os.environ.get("JIFANG_NOTIFY_OUTBOX_DIR", VAR_DIR / "outbox"))
JIFANG_SMS_URL = os.environ.get("JIFANG_SMS_URL", "")
JIFANG_SMS_TOKEN = os.environ.get("JIFANG_SMS_TOKEN", "")
JIFANG_REMINDER_EVERY_SECONDS = int(os.environ.get("JIFANG_REMINDER_EVERY_SECONDS", "300"))
# The e-mail gateway's SMTP server (Django's mailer; tests replace it with the in-memory one).
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {
    "host": os.environ.get("JIFANG_EMAIL_HOST", "localhost"), "port": int(os.environ.get("JIFANG_EMAIL_PORT", "25")),
    "username": os.environ.get("JIFANG_EMAIL_USER", ""), "password": os.environ.get("JIFANG_EMAIL_PASSWORD", ""),
    "use_tls": os.environ.get("JIFANG_EMAIL_TLS", "0") == "1", "timeout": 10}}}
DEFAULT_FROM_EMAIL = os.environ.get("JIFANG_EMAIL_FROM", "jifang@localhost")
