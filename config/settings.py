"""Medora settings: one file, every deployment value from the environment.

With nothing set, Medora runs on embedded defaults: SQLite under var/, local-memory
cache, Celery tasks run eagerly in-process, document data in the default database.
Set DATABASE_URL, REDIS_URL and MONGO_URL to use real servers. See README and .env.example.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "")
    return float(value) if value.strip() else default


def throttle_rate(name: str, default: str) -> str | None:
    """A DRF throttle rate such as "600/min"; "off" turns that throttle off (load tests)."""
    value = os.environ.get(name, "").strip() or default
    return None if value.lower() == "off" else value


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG=0")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "Medora")

INSTALLED_APPS = [
    "accounts.admin_config.MedoraAdminConfig",  # django.contrib.admin with our site
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
    "guardian",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "accounts",
    "patients",
    "providers",
    "appointments",
    "records",
    "chatbot",
    "status",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.cache_readahead.ReadaheadMiddleware",  # the user and a cached list in one round trip
    "accounts.middleware.SessionIdleTimeoutMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "accounts.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{VAR_DIR / 'medora.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60 if DATABASE_URL else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Fail fast when the server is gone instead of hanging a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DB_CONNECT_TIMEOUT", 3)
    )
    # Server-side binding lets psycopg prepare a statement after a few runs on a persistent
    # connection, so PostgreSQL stops re-planning the hot list queries (planning a six-table join
    # cost ~4 ms against ~0.4 ms to run it). Turn off behind a transaction-mode pooler.
    if env_bool("DB_SERVER_SIDE_BINDING", True):
        DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
        DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, Celery on Redis (or embedded) -------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_TIMEOUT = env_float("REDIS_TIMEOUT", 1.0)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "medora"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT,
                "SOCKET_TIMEOUT": REDIS_TIMEOUT,
                # Redis down must not mean 500s for signed-in people: a failed cache call is a
                # miss (sessions fall back to the database, MFA state is re-read) and is logged.
                # Rate limits fail open meanwhile; /readyz and the status page report the outage.
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": REDIS_TIMEOUT}
# Each app adds its periodic work here (see config/celery.py).
CELERY_BEAT_SCHEDULE: dict = {}

# --- Document store (MongoDB, or relational adapters in the default database) ---------
MONGO_URL = os.environ.get("MONGO_URL", "")
MONGO_DB_NAME = (
    os.environ.get("MONGO_DB_NAME", "")
    or (urlsplit(MONGO_URL).path.lstrip("/") if MONGO_URL else "")
    or "medora"
)
MONGO_TIMEOUT_MS = env_int("MONGO_TIMEOUT_MS", 2000)

# --- Auth ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Django's and allauth's backends, reading the signed-in user from the cache.
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row
GUARDIAN_RAISE_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# Mandatory in production; a developer may relax it locally with ACCOUNT_EMAIL_VERIFICATION=optional.
ACCOUNT_EMAIL_VERIFICATION = (
    os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "mandatory") if DEBUG else "mandatory"
)
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# Mail the owner when their password, email or MFA changes (a takeover is noticed).
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_RATE_LIMITS = {
    "login_failed": os.environ.get("LOGIN_RATE_LIMIT", "5/5m/ip,5/5m/key"),
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
# TOTP secrets and recovery seeds are stored encrypted (accounts/mfa_crypto.py). Keys, comma-separated:
# the first encrypts, all decrypt. Unset: a key derived from SECRET_KEY (rotating it then breaks MFA).
MFA_ADAPTER = "accounts.mfa_adapter.MFAAdapter"
MFA_ENCRYPTION_KEY = env_list("MFA_ENCRYPTION_KEY")

# Idle timeout: a session ends this long after its last activity (see SessionIdleTimeoutMiddleware).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 15 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
SESSION_SAVE_EVERY_REQUEST = False  # accounts.middleware.SessionIdleTimeoutMiddleware slides it
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Email -----------------------------------------------------------------------------


def email_settings(url: str) -> dict:
    """console://, locmem://, file:///path, smtp://user:pass@host:port, smtp+tls://, smtp+ssl://"""
    parts = urlsplit(url)
    scheme = parts.scheme
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parts.path,
        }
    if scheme in {"smtp", "smtp+tls", "smtp+ssl"}:
        query = parse_qs(parts.query)
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname or "localhost",
            "EMAIL_PORT": parts.port or (465 if scheme == "smtp+ssl" else 587),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": scheme == "smtp+tls",
            "EMAIL_USE_SSL": scheme == "smtp+ssl",
            "EMAIL_TIMEOUT": int(query.get("timeout", ["10"])[0]),
        }
    raise ValueError(f"Unsupported EMAIL_URL scheme: {scheme!r}")


EMAIL_URL = os.environ.get("EMAIL_URL", "console://")
globals().update(email_settings(EMAIL_URL))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <no-reply@medora.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- I18N / time zones -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")  # the clinic's zone, used for display
USE_I18N = True
USE_TZ = True

# --- Static and media --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on a missing root in development
# Only when present: a checkout without its own static files still passes `check --deploy`.
STATICFILES_DIRS = [path for path in [BASE_DIR / "static"] if path.is_dir()]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Security (production values when DEBUG=0) -------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies of ours append to X-Forwarded-For. 0 (default) trusts none: the client address
# is REMOTE_ADDR, so a client cannot pick the address that rate limits and the audit trail see.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- API ---------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so that an anonymous request gets 401 with WWW-Authenticate, not 403.
        "accounts.authentication.TokenAuthentication",  # DRF's, refusing staff without MFA
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.JSONParser",  # a RecursionError on deeply nested JSON is a 400, not a 500
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT or None,
    # Throttles count in the cache (Redis in production): 429 with the error shape when exceeded.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": throttle_rate("API_THROTTLE_ANON", "60/min"),
        "user": throttle_rate("API_THROTTLE_USER", "600/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# API tokens (issued by admins) stop working this many days after they were issued; 0: never.
API_TOKEN_MAX_AGE_DAYS = env_int("API_TOKEN_MAX_AGE_DAYS", 90)
SPECTACULAR_SETTINGS = {
    "TITLE": "Medora API",
    "DESCRIPTION": "The JSON API behind the Medora patient and provider portals.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Logging: no request bodies, no PHI; Django's request logger only logs paths. -------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Calendar-feed URLs carry a secret token: redact it from request lines and error logs.
    "filters": {
        "redact_feed_tokens": {"()": "appointments.calendar_feed.FeedTokenRedactingFilter"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_feed_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Scheduling (patients, providers, appointments) --------------------------------------
APPOINTMENT_MIN_NOTICE_MINUTES = env_int("APPOINTMENT_MIN_NOTICE_MINUTES", 120)
APPOINTMENT_HORIZON_DAYS = env_int("APPOINTMENT_HORIZON_DAYS", 90)
APPOINTMENT_CANCEL_CUTOFF_HOURS = env_int("APPOINTMENT_CANCEL_CUTOFF_HOURS", 24)
# Slots start every N minutes inside a window (a 45-min visit may start at 9:00, 9:15, ...).
APPOINTMENT_SLOT_STEP_MINUTES = env_int("APPOINTMENT_SLOT_STEP_MINUTES", 15)
APPOINTMENT_REMINDER_HOURS = env_int("APPOINTMENT_REMINDER_HOURS", 24)
APPOINTMENT_VIDEO_URL_BASE = os.environ.get(
    "APPOINTMENT_VIDEO_URL_BASE", "https://video.medora.local/visit/"
)
WAITLIST_HOLD_MINUTES = env_int("WAITLIST_HOLD_MINUTES", 30)
CELERY_BEAT_SCHEDULE.update(
    {
        "appointments-send-reminders": {
            "task": "appointments.send_reminders",
            "schedule": 15 * 60,
        },
        "appointments-waitlist-expire-holds": {
            "task": "appointments.waitlist_expire_holds",
            "schedule": 60,
        },
    }
)

# === status (status app) ===================================================================
# Probe cadence and the hard timeout of each probe (and of /readyz checks), in seconds.
STATUS_PROBE_INTERVAL = env_int("STATUS_PROBE_INTERVAL", 60)
STATUS_PROBE_TIMEOUT = env_float("STATUS_PROBE_TIMEOUT", 2.0)
# The last published summary, written atomically, for the status page to fall back on.
STATUS_SUMMARY_FILE = Path(os.environ.get("STATUS_SUMMARY_FILE", VAR_DIR / "status-summary.json"))
# What the probes reach: the web probe requests /healthz here; the Redis probe PINGs this URL (unset: not monitored).
STATUS_WEB_URL = os.environ.get("STATUS_WEB_URL", f"{SITE_URL}/healthz")
STATUS_REDIS_URL = os.environ.get("STATUS_REDIS_URL", REDIS_URL)
# Workers refresh their heartbeat this often; beat ticks this often. Stale after three intervals.
STATUS_HEARTBEAT_INTERVAL = env_int("STATUS_HEARTBEAT_INTERVAL", 15)
STATUS_BEAT_TICK_INTERVAL = env_int("STATUS_BEAT_TICK_INTERVAL", 30)
# Also told of every state change, besides admin users (and the only ones told while PostgreSQL is down).
STATUS_ALERT_EMAILS = env_list("STATUS_ALERT_EMAILS")
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE.update(
    {
        "status-probe-cycle": {
            "task": "status.probe_cycle",
            "schedule": float(STATUS_PROBE_INTERVAL),
        },
        "status-beat-tick": {
            "task": "status.beat_tick",
            "schedule": float(STATUS_BEAT_TICK_INTERVAL),
        },
        # Hourly keeps today's bar current; the 00:05 UTC run closes yesterday.
        "status-rollup": {"task": "status.rollup", "schedule": crontab(minute=5)},
    }
)
# Named enums for the status API schema (several "status" fields with different choices).
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "StatusComponentStateEnum": [
            "operational",
            "degraded",
            "down",
            "maintenance",
            "unknown",
            "not_monitored",
        ],
        "StatusIncidentStatusEnum": ["investigating", "identified", "monitoring", "resolved"],
        "StatusMaintenanceStatusEnum": ["scheduled", "in_progress"],
        "StatusIndicatorEnum": ["none", "maintenance", "minor", "major", "critical"],
        "StatusImpactEnum": ["none", "minor", "major", "critical"],
    }
)
# === end status ============================================================================
