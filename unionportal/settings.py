"""Settings for UnionPortal, read from the environment (names in shared/spec/interfaces.md)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from unionportal.notifications.email_settings import email_settings
from unionportal.shared_stores import caches_setting, default_storage_setting

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("UNIONPORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
# The fallback key is for development only: with debug off the server refuses to start with
# it (unionportal/wsgi.py, which runserver loads too); offline commands (migrations, messages)
# still run, and `check --deploy` flags its "django-insecure-" prefix.
DEVELOPMENT_SECRET_KEY = "django-insecure-unionportal-development-only"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "").strip() or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
if DEBUG:
    ALLOWED_HOSTS += ["testserver"]
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "unionportal",
    "orgs",
    "orgs.governance.apps.GovernanceConfig",
    "duties",
    "assessment",
    "services",
    "unionportal.notifications",
    "unionportal.jobs",
    "django_tasks",
    "django_tasks_db",
    "unionportal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "mptt",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "import_export",  # the admin's import and export buttons (unionportal/admin_import.py)
]
# The file between an admin import's preview and its confirm: in the default storage (every
# app server sees it), not on one server's disk.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "unionportal.admin_import.PendingFileStorage"

MIDDLEWARE = [
    # First, so that every other middleware and the view run on it (unionportal/frame_stack.py).
    "unionportal.frame_stack.RoomyFrameStackMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Permissions-Policy and no-store on every response but static files; outside the session,
    # common and csrf middleware so their redirects and refusals carry the headers too.
    "unionportal.security_headers.SecurityHeadersMiddleware",
    # The kept values' write marks, read before the request reads anything else.
    "unionportal.page_cache.WrittenMarksMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "unionportal.middleware.PortalLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle and absolute session limits, two-factor for admins (after auth, otp and messages).
    "unionportal.accounts.sessions.SessionPolicyMiddleware",
    "unionportal.pdf_bounds.PdfRefusedMiddleware",  # a PDF over its budget: a page, not a 500
    # Redis or the object store down: a 503 page naming what is unavailable, not a 500.
    "unionportal.dependencies.DependencyDownMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a flagged sign-in attempt into the lockout page; axes wants it last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "unionportal.urls"
WSGI_APPLICATION = "unionportal.wsgi.application"

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
                "orgs.context_processors.portal",
                "unionportal.notifications.context_processors.unread",
                "unionportal.navigation.header_links",
            ],
        },
    },
]

# PostgreSQL as the portal runs it (also the benchmarks' settings): no JIT. It compiles any
# query its planner prices high, and a scope check over a city's 5,000 orgs is priced high:
# measured 114 ms of compiling for a 0.6 ms query.
POSTGRES_OPTIONS = {"options": "-c jit=off"}
# The hot single-row reads by key (a sheet, a catalogue's published version, a case) run as
# prepared statements (unionportal/compiled_sql.py): planning the scoped sheet query cost
# 1.1 ms to run it in 0.1 ms. Off (0) behind a pooler in transaction mode (PgBouncer), which
# cannot keep a connection's prepared statements.
PREPARED_KEY_READS = os.environ.get("UNIONPORTAL_DB_PREPARED", "1") != "0"
if PREPARED_KEY_READS:
    # Django turns psycopg's prepared statements off (None); any number turns them on for the
    # cursors that ask (Django's own client-side binding cursors never prepare), and those
    # prepare at once, so the count is never reached.
    POSTGRES_OPTIONS["prepare_threshold"] = 1_000_000

# SQLite is the embedded default for `make run`; production and CI also use PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=0 if DEBUG else 60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if not os.environ.get("DATABASE_URL"):
        VAR_DIR.mkdir(parents=True, exist_ok=True)
    # IMMEDIATE transactions serialise writers up front, so tree writes cannot interleave.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    for option, value in POSTGRES_OPTIONS.items():  # an explicit option in the URL wins
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(option, value)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Sign-in, sessions and two-factor (unionportal/accounts/; README "Sign-in and sessions") ---
# Argon2 first; PBKDF2 stays listed so existing hashes verify and are upgraded at sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "unionportal.accounts.lockout.PortalAxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Brute-force protection (django-axes): lock a username and, separately, an address.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = int(os.environ.get("UNIONPORTAL_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("UNIONPORTAL_LOGIN_COOLOFF_MINUTES", "15")))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "unionportal.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "unionportal.accounts.lockout.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are kept in unionportal's SignInEvent table
AXES_VERBOSE = False
# Behind a reverse proxy, the number of proxies that append to X-Forwarded-For; 0 (the
# default) ignores the header, which a client can forge.
UNIONPORTAL_TRUSTED_PROXY_COUNT = int(os.environ.get("UNIONPORTAL_TRUSTED_PROXY_COUNT", "0"))
UNIONPORTAL_SIGN_IN_EVENTS_DAYS = int(os.environ.get("UNIONPORTAL_SIGN_IN_EVENTS_DAYS", "180"))
UNIONPORTAL_SESSION_IDLE_SECONDS = int(os.environ.get("UNIONPORTAL_SESSION_IDLE_SECONDS", str(2 * 3600)))
UNIONPORTAL_SESSION_PRIVILEGED_SECONDS = int(
    os.environ.get("UNIONPORTAL_SESSION_PRIVILEGED_SECONDS", str(12 * 3600)))
UNIONPORTAL_SESSION_MAX_SECONDS = int(os.environ.get("UNIONPORTAL_SESSION_MAX_SECONDS", str(7 * 24 * 3600)))
# Which users those are is the gate's rule (roles live in orgs/access.py, not in the library).
UNIONPORTAL_PRIVILEGED_USER = "orgs.access.is_privileged"
UNIONPORTAL_ADMINISTERS = "orgs.access.administers"
UNIONPORTAL_SESSION_WARNING_SECONDS = 5 * 60
SESSION_COOKIE_AGE = UNIONPORTAL_SESSION_MAX_SECONDS
UNIONPORTAL_REQUIRE_2FA_FOR_ADMINS = env_bool("UNIONPORTAL_REQUIRE_2FA_FOR_ADMINS", False)
OTP_TOTP_ISSUER = "UnionPortal"
# The admin never shows a device's secret (config/QR pages refuse every id alike, so they do not
# tell which device ids exist); users enrol through the portal's own two-factor pages.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The print fonts `manage.py build_print_fonts` makes (unionportal/print_fonts.py): a build
# output like the static files, the same on every app server, so not under VAR_DIR.
PRINT_FONTS_DIR = Path(os.environ.get("UNIONPORTAL_PRINT_FONTS_DIR", BASE_DIR / "var" / "fonts"))
STATICFILES_DIRS = [BASE_DIR / "unionportal" / "static"]
# Uploaded and generated files: var/media, or an S3-compatible object store when
# AWS_STORAGE_BUCKET_NAME is set (unionportal/shared_stores.py, docs/deployment.md).
STORAGES = {
    "default": default_storage_setting(os.environ),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded evidence lives outside the web root and is served only through the scoping gate.
MEDIA_ROOT = VAR_DIR / "media"

# Import files (unionportal/import_limits.py): each key overrides a default. Web uploads: 5 MB,
# 5,000 rows, 50 MB unpacked xlsx; the command line: 50 MB, 200,000 rows, 500 MB unpacked;
# both: 32,767 characters a cell, an xlsx member packed at most 100:1, 500 members.
IMPORT_LIMITS = {
    "web": {},  # e.g. {"max_bytes": 5 * 1024 * 1024, "max_rows": 5_000}
    "command": {},
}
# An admin import confirmed with more rows or bytes than these runs as a background job
# (unionportal/admin_import_jobs.py); smaller ones are imported while the admin waits.
ADMIN_IMPORT_REQUEST_ROWS = 300
ADMIN_IMPORT_REQUEST_BYTES = 1024 * 1024

# HTTPS hardening is on whenever debug is off; DJANGO_HTTPS=0 turns it off behind plain HTTP.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles only from the portal's own static
# files - no inline script, no inline style attribute - and no framing by any site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SESSION_COOKIE_HTTPONLY = True

# The shared cache, one for every app server: Redis when REDIS_URL is set, the database
# otherwise (its tables are made by `migrate`). "pdf" holds rendered PDFs, keyed by the hash of
# their HTML (unionportal/pdf.py; a PDF over PDF_CACHE_INLINE_BYTES is kept in the default
# storage, its name in the cache).
CACHES = caches_setting(os.environ)
PDF_CACHE_INLINE_BYTES = int(os.environ.get("UNIONPORTAL_PDF_CACHE_INLINE_BYTES", str(1024 * 1024)))
# Sessions live in the database, so any app server answers any request (and signing in works
# while Redis is down); Django's database sessions, read by a compiled statement.
SESSION_ENGINE = "unionportal.accounts.session_store"

# Every PDF render is bounded (unionportal/pdf_bounds.py): at most this many characters of
# text, and stopped after this many seconds (0: no deadline).
PDF_MAX_TEXT_CHARS = int(os.environ.get("UNIONPORTAL_PDF_MAX_TEXT_CHARS", "50000"))
PDF_RENDER_SECONDS = float(os.environ.get("UNIONPORTAL_PDF_RENDER_SECONDS", "15"))

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Background jobs (unionportal/jobs/, `manage.py work`): Django's task API (django-tasks). The
# database is the queue by default; with REDIS_URL, RQ on Redis (workers on any machine).
if os.environ.get("REDIS_URL", "").strip():
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": os.environ["REDIS_URL"].strip(), "DEFAULT_TIMEOUT": 3600}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running job without a sign of life for this long is taken as dead: queued again while it
# has had fewer than JOBS_MAX_ATTEMPTS claims, failed after; finished jobs are kept a week.
JOBS_STALE_SECONDS = int(os.environ.get("UNIONPORTAL_JOBS_STALE_SECONDS", "600"))
JOBS_MAX_ATTEMPTS = 2
# A job's heartbeat thread stops beating after this long; past it, a job lives by its progress.
JOBS_MAX_RUN_SECONDS = int(os.environ.get("UNIONPORTAL_JOBS_MAX_RUN_SECONDS", "3600"))
JOBS_KEEP_DAYS = 7
JOBS_REAP_SECONDS = 60
# A PDF rendered by a job has larger budgets than one rendered in a request (PDF_* below).
JOBS_PDF_MAX_TEXT_CHARS = int(os.environ.get("UNIONPORTAL_JOBS_PDF_MAX_TEXT_CHARS", "1000000"))
JOBS_PDF_RENDER_SECONDS = float(os.environ.get("UNIONPORTAL_JOBS_PDF_RENDER_SECONDS", "900"))
# Processes that lay out a many-part PDF (a round's sheets) at once: one a core (unionportal/pdf_parts.py).
PDF_RENDER_PROCESSES = int(os.environ.get("UNIONPORTAL_PDF_RENDER_PROCESSES", "2"))
# Publishing a catalogue or finalising a sheet renders its PDF in the background.
UNIONPORTAL_PRERENDER_PDFS = True

# Mail (README "Email"): DJANGO_EMAIL_URL (smtp://, smtp+tls://user:password@host:587,
# smtp+ssl://, console://) or Django's EMAIL_* names; DJANGO_DEFAULT_FROM_EMAIL the sender.
# Without them: the console in debug, off (the dummy backend) otherwise.
globals().update(email_settings(os.environ, debug=DEBUG))
# Links in mails point here (the address users open the portal at).
UNIONPORTAL_SITE_URL = os.environ.get("UNIONPORTAL_SITE_URL", "http://127.0.0.1:8000").rstrip("/")


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (403, 400) is one line - user, path, reason - never a traceback
    # (unionportal/refusals.py): on django.request itself, and on the console for the
    # django.security.* loggers.
    "filters": {"one_line_refusals": {"()": "unionportal.refusals.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_line_refusals"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.request": {"filters": ["one_line_refusals"]},
        "unionportal": {"level": os.environ.get("UNIONPORTAL_LOG_LEVEL", "INFO")},
        # WeasyPrint reports every CSS property it ignores; only errors matter to us.
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}

PORTAL_NAME = _("UnionPortal")
