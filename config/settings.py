"""Sinergi settings: one module, every value from the environment.

Development and demo (`make run`) set DJANGO_DEBUG=true. Anything else is production: it refuses
to start without DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS, and serves HTTPS-only cookies and HSTS.
The README has the table of every variable.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off (production)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-used-in-production"

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS is required when DJANGO_DEBUG is off (production)."
        )
    ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "accounts.apps.AdminConfig",  # django.contrib.admin, behind the second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_htmx",
    "django_filters",
    "django_tables2",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "accounts",
    "regions",
    "partners",
    "enrolment",
    "coverage",
    "ops",
    "privacy",
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Saves the session again once a minute of use (idle expiry), not on every request.
    "accounts.middleware.SessionRenewalMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # After the password, the second factor before any page (accounts/middleware.py).
    "accounts.middleware.SecondFactorMiddleware",
    # The trail's triggers learn who writes (and from which request and address).
    "audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into the lockout page.
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database: PostgreSQL only ------------------------------------------------------------------
# `make run` and `make test` start an embedded PostgreSQL and set DATABASE_URL when it is unset
# (config/embedded.py); here it is always required.
if "DATABASE_URL" not in env:
    raise ImproperlyConfigured(
        "DATABASE_URL is not set. Use `make run` / `make test` (they start an embedded "
        "PostgreSQL), or point DATABASE_URL at a PostgreSQL server."
    )
DATABASES = {"default": env.db_url("DATABASE_URL")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Sinergi runs on PostgreSQL only.")
# A Unix-socket directory arrives percent-encoded in the URL's host part.
DATABASES["default"]["HOST"] = unquote(DATABASES["default"]["HOST"] or "")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Redis: broker, results, cache ---------------------------------------------------------------
if "REDIS_URL" not in env:
    raise ImproperlyConfigured(
        "REDIS_URL is not set. Use `make run` / `make test` (they start an embedded Redis), "
        "or point REDIS_URL at a Redis server."
    )
REDIS_URL = env.str("REDIS_URL")


def _redis_db(url: str, offset: int) -> str:
    """The same server, the logical database `offset` places after the one the URL names (0 when
    it names none): redis://h:p/4 is the broker's, 5 the cache's, 6 the results' (unix sockets
    name theirs as ?db=N). So Sinergi shares a Redis server with others by its URL alone."""
    if url.startswith("unix://"):
        path, _sep, query = url.partition("?")
        first = query.removeprefix("db=")
        return f"{path}?db={(int(first) if first.isdigit() else 0) + offset}"
    base = url.rstrip("/")
    head, _sep, tail = base.rpartition("/")
    first = 0
    if tail.isdigit() and head.count("/") >= 2:
        base, first = head, int(tail)
    return f"{base}/{first + offset}"


def _celery_url(url: str) -> str:
    """Celery/kombu spell a Unix socket as redis+socket:///path?virtual_host=N."""
    if url.startswith("unix://"):
        path, _sep, query = url[len("unix://") :].partition("?")
        db = query.removeprefix("db=") or "0"
        return f"redis+socket://{path}?virtual_host={db}"
    return url


CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _redis_db(REDIS_URL, 1),
        "KEY_PREFIX": "sinergi",
    }
}

# --- Celery ---------------------------------------------------------------------------------------
CELERY_BROKER_URL = _celery_url(_redis_db(REDIS_URL, 0))
CELERY_RESULT_BACKEND = _celery_url(_redis_db(REDIS_URL, 2))
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Asia/Jakarta"
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = (Queue("default"), Queue("imports"))
# Default limits for every task; the import tasks set their own (longer) ones.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
IMPORT_TASK_SOFT_TIME_LIMIT = env.int("IMPORT_TASK_SOFT_TIME_LIMIT", default=3300)
IMPORT_TASK_TIME_LIMIT = env.int("IMPORT_TASK_TIME_LIMIT", default=3600)
# A late-acknowledged task that is not acknowledged within the visibility timeout is delivered
# again; it must outlast the longest task, or a long import would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": IMPORT_TASK_TIME_LIMIT + 600}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ROUTES = {
    "enrolment.tasks.reap_rosters": {"queue": "default"},  # must run when the import worker died
    "enrolment.tasks.mark_arrears": {"queue": "default"},
    "enrolment.tasks.*": {"queue": "imports"},
}
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(BASE_DIR / ".data" / "celerybeat-schedule")
)
CELERY_BEAT_SCHEDULE = {
    "ops-heartbeat": {
        "task": "ops.tasks.heartbeat",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
    "enrolment-reap-rosters": {
        "task": "enrolment.tasks.reap_rosters",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
    "partners-nightly-statuses": {
        "task": "partners.tasks.advance_agreement_statuses",
        "schedule": crontab(hour=1, minute=0),
    },
    "enrolment-nightly-arrears": {
        "task": "enrolment.tasks.mark_arrears",
        "schedule": crontab(hour=1, minute=30),
    },
    "coverage-nightly-refresh": {
        "task": "coverage.tasks.refresh_all_coverage",
        "schedule": crontab(hour=1, minute=45),
    },
    "coverage-monthly-snapshot": {
        "task": "coverage.tasks.monthly_snapshot",
        "schedule": crontab(day_of_month=1, hour=0, minute=20),
    },
    "enrolment-nightly-retention": {
        "task": "enrolment.tasks.purge_expired_imports",
        "schedule": crontab(hour=3, minute=15),  # after the nightly runs, before the day starts
    },
}

# --- Authentication, lockout, sessions ------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock the account for the address it is attacked from: an office behind one NAT address is not
# locked out as a whole by one clerk's typos, and the account is not lockable from elsewhere.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None
AXES_VERBOSE = False
# A wrong second-factor code counts as a failed sign-in too; codes never go into axes' records.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]

# Second factor (django-otp): an authenticator app (TOTP) and one-time recovery codes. Who must
# pass it is decided by accounts.middleware; each wrong code also slows the device down
# (django-otp's throttling doubles the wait after every failure until a right code).
OTP_TOTP_ISSUER = "Sinergi"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Shared office PCs: a session ends after idle time and when the browser closes.
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_IDLE_MINUTES", default=30) * 60
SESSION_SAVE_EVERY_REQUEST = False  # accounts.middleware.SessionRenewalMiddleware renews it
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Security -------------------------------------------------------------------------------------
HTTPS = env.bool("DJANGO_HTTPS", default=not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Scripts only from Sinergi itself or carrying this response's nonce; no inline styles, no eval.
# htmx is told not to inject its indicator styles nor to eval (the htmx-config meta in base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Jakarta"
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["config.formats"]

# --- Static and media files -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / ".data" / "media")

# Links in e-mails point here (no request to build them from in a nightly task).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Roster imports ---------------------------------------------------------------------------------
ROSTER_MAX_BYTES = env.int("ROSTER_MAX_BYTES", default=25 * 1024 * 1024)
ROSTER_MAX_ROWS = env.int("ROSTER_MAX_ROWS", default=1_000_000)
ROSTER_MAX_ATTEMPTS = env.int("ROSTER_MAX_ATTEMPTS", default=3)
# PostgreSQL's work_mem for the apply's transaction: its hash joins of the staged rows (by NIK,
# and by program) then stay in memory up to a roster of about 1.000.000 rows (hash_mem_multiplier
# doubles it for them); with the server's 4 MB they spilled to disk, 10 % of a 1.000.000 apply.
ROSTER_APPLY_WORK_MEM = env.str("ROSTER_APPLY_WORK_MEM", default="64MB")
# Days an uploaded file, its row issues and failed rows are kept after the upload (UU 27/2022).
RETENTION_DAYS = env.int("SINERGI_RETENTION_DAYS", default=90)
# Uploads up to the roster limit reach the view as files, not as memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Partners ---------------------------------------------------------------------------------------
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# The attention list: agreements ending within this many days; drafts untouched this long.
AGREEMENT_WARN_DAYS = env.int("AGREEMENT_WARN_DAYS", default=90)
AGREEMENT_STALE_DRAFT_DAYS = env.int("AGREEMENT_STALE_DRAFT_DAYS", default=30)


def _xstatic_dir(module: str) -> str:
    import importlib

    return importlib.import_module(f"xstatic.pkg.{module}").BASE_DIR


# Bootstrap comes from the xstatic-bootstrap package, htmx from django-htmx: both from PyPI.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", _xstatic_dir("bootstrap")),
]

STORAGE_BACKEND = env.str("DJANGO_STORAGE_BACKEND", default="local")
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "access_key": env.str("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
elif STORAGE_BACKEND == "local":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured("DJANGO_STORAGE_BACKEND must be 'local' or 's3'.")

# Production serves hashed, compressed files collected by `collectstatic`; development and the
# test suite serve them straight from the apps and packages (DJANGO_STATIC_MANIFEST=false).
STATIC_MANIFEST = env.bool("DJANGO_STATIC_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST

# --- E-mail ---------------------------------------------------------------------------------------
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Sinergi <sinergi@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ADMINS = [("Operator", a) for a in env.list("DJANGO_ADMINS", default=[])]
# Their error reports carry no personal data: request values hidden, NIKs masked (config/errors.py).
DEFAULT_EXCEPTION_REPORTER = "config.errors.PersonalDataExceptionReporter"
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.errors.PersonalDataReporterFilter"

# --- Logging: ids, never personal data ------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_nik": {"()": "config.logging.MaskNikFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask_nik"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# --- Sinergi --------------------------------------------------------------------------------------
# Demo logins are only ever created where DEBUG is on (seed_demo refuses otherwise).
DEMO_PASSWORD = env.str("SINERGI_DEMO_PASSWORD", default="sinergi-demo-2026")
