"""Settings for civicgrid, driven by environment variables.

Defaults give the embedded set-up (SQLite in ``CIVICGRID_DATA_DIR``); production sets
``DATABASE_URL`` (PostgreSQL), ``SECRET_KEY``, ``ALLOWED_HOSTS``, ``DEBUG=0`` and
``CIVICGRID_HTTPS=1`` (README, "Production").
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import xstatic.pkg.leaflet as xleaflet
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from civicgrid.wiring.modules import MODULES

BASE_DIR = Path(__file__).resolve().parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DATA_DIR = Path(env_str("CIVICGRID_DATA_DIR", str(Path.cwd() / "civicgrid-data"))).resolve()

DEBUG = env_bool("DEBUG", False)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else a random key kept in the data folder.

    Never a built-in default: a key everyone knows signs sessions anyone can forge.
    Several web servers must share one key: set SECRET_KEY for them.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# HTTPS. CIVICGRID_HTTPS=1 says the site is served over HTTPS (perhaps by a proxy in
# front) and turns on every secure default below; each can still be set on its own.
# Off by default, so the demo on http://127.0.0.1 keeps working. README: "Production".
CIVICGRID_HTTPS = env_bool("CIVICGRID_HTTPS", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", CIVICGRID_HTTPS)
SECURE_REDIRECT_EXEMPT = env_list("SECURE_REDIRECT_EXEMPT", [])
SECURE_HSTS_SECONDS = int(env_str("SECURE_HSTS_SECONDS", "31536000" if CIVICGRID_HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", CIVICGRID_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", CIVICGRID_HTTPS)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", CIVICGRID_HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", CIVICGRID_HTTPS)
LANGUAGE_COOKIE_SECURE = env_bool("LANGUAGE_COOKIE_SECURE", CIVICGRID_HTTPS)
SESSION_COOKIE_HTTPONLY = env_bool("SESSION_COOKIE_HTTPONLY", True)
SECURE_CONTENT_TYPE_NOSNIFF = env_bool("SECURE_CONTENT_TYPE_NOSNIFF", True)
SECURE_REFERRER_POLICY = env_str("SECURE_REFERRER_POLICY", "same-origin")
X_FRAME_OPTIONS = env_str("X_FRAME_OPTIONS", "DENY")


def _proxy_ssl_header(name: str) -> tuple[str, str] | None:
    """``X-Forwarded-Proto`` (or ``HTTP_X_FORWARDED_PROTO``) → Django's (META key, "https").

    Only behind a proxy that always sets (or strips) this header: a client could send it.
    """
    if not name:
        return None
    key = name.upper().replace("-", "_")
    return (key if key.startswith("HTTP_") else f"HTTP_{key}", "https")


SECURE_PROXY_SSL_HEADER = _proxy_ssl_header(env_str("SECURE_PROXY_SSL_HEADER", ""))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "js_lib_htmx",
    "ninja",
    "csp",
    "civicgrid.core",
    "civicgrid.accounts",
    "civicgrid.regions",
    "civicgrid.routing",
    "civicgrid.cases",
    # The apps above cases, each named once in civicgrid/wiring/modules.py.
    *(module.app for module in MODULES),
    "civicgrid.demo",
    "civicgrid.wiring",
]

MIDDLEWARE = [
    # First, so its total covers every other middleware; off unless CIVICGRID_SERVER_TIMING.
    "civicgrid.core.timing.ServerTimingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "civicgrid.core.middleware.KeepSessionOnPolls",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "civicgrid.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Plain inputs and selects drawn in Python, the same HTML as Django's templates, faster.
FORM_RENDERER = "civicgrid.core.widgets.PythonRenderer"

ROOT_URLCONF = "civicgrid.urls"
WSGI_APPLICATION = "civicgrid.wsgi.application"
ASGI_APPLICATION = "civicgrid.asgi.application"

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
                "civicgrid.core.context_processors.site",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{DATA_DIR / 'civicgrid.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_sqlite), conn_max_age=int(env_str("CONN_MAX_AGE", "60"))
    )
}
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # No JIT: the lists' queries are short index reads, on which PostgreSQL's cost
    # estimate can still cross jit_above_cost (a planner guess over a big table) and spend
    # 50-200 ms compiling code for a 2 ms query (docs/performance.md).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["options"] = "-c jit=off"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue instead of
    # failing with "database is locked" half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A file, not shared-cache memory, so tests that race real threads see real locking.
    # One file per test run, so two suites running at once never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-{os.getpid()}.sqlite3")}

# A file cache in the data folder: every web process (and server) on the machine shares
# it, where the default local-memory cache would keep one copy per process. Only short
# lived figures are kept there (the one screen's wall mode, the reports) and bodies per
# version of their rows (core.bodies).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
    }
}
# How long the wall mode of the one screen (一张图) reuses its figures, in seconds.
ANALYTICS_WALL_CACHE_SECONDS = int(env_str("ANALYTICS_WALL_CACHE_SECONDS", "30"))
# How long a built report (page, workbook, PDF) is reused: while its period runs, and
# once it has ended (0: build it on every request).
ANALYTICS_REPORT_CACHE_SECONDS = int(env_str("ANALYTICS_REPORT_CACHE_SECONDS", "60"))
ANALYTICS_CLOSED_REPORT_CACHE_SECONDS = int(
    env_str("ANALYTICS_CLOSED_REPORT_CACHE_SECONDS", "3600")
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
# Password sign-in for people; integration accounts (other systems) are refused.
AUTHENTICATION_BACKENDS = ["civicgrid.accounts.auth.StaffBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Leaflet ships as a Python package (no CDN): served as static/leaflet/leaflet.js.
STATICFILES_DIRS = [BASE_DIR / "static", ("leaflet", xleaflet.BASE_DIR)]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Uploaded files (case photos and documents): files under MEDIA_ROOT, or any
# S3-compatible store with CIVICGRID_STORAGE=s3 (install the "s3" extra; docs/citizens.md).
if env_str("CIVICGRID_STORAGE", "local") == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("CIVICGRID_S3_BUCKET", "civicgrid"),
            "endpoint_url": env_str("CIVICGRID_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("CIVICGRID_S3_REGION", "") or None,
            "access_key": env_str("CIVICGRID_S3_ACCESS_KEY", "") or None,
            "secret_key": env_str("CIVICGRID_S3_SECRET_KEY", "") or None,
            "location": env_str("CIVICGRID_S3_PREFIX", ""),
            "default_acl": "private",  # files are served through the views that check access
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
# Citizens' pages (随手拍): reports and +1s per phone and per client address in each
# window; behind a reverse proxy, name the header carrying the client's address.
CIVICGRID_CITIZEN_PER_PHONE = int(env_str("CIVICGRID_CITIZEN_PER_PHONE", "5"))
CIVICGRID_CITIZEN_PER_IP = int(env_str("CIVICGRID_CITIZEN_PER_IP", "20"))
CIVICGRID_CITIZEN_WINDOW_SECONDS = int(env_str("CIVICGRID_CITIZEN_WINDOW_SECONDS", "3600"))
CIVICGRID_CLIENT_IP_HEADER = env_str("CIVICGRID_CLIENT_IP_HEADER", "")
# How many reverse proxies append to that header: the client is that many entries from
# the right (entries further left are whatever the client wrote).
CIVICGRID_TRUSTED_PROXIES = int(env_str("CIVICGRID_TRUSTED_PROXIES", "1"))
# Staff sign-in (and the admin's): after this many failed sign-ins of one username, or
# from one client address, within the window, sign-in is refused until the failures
# age out of the window (accounts.throttle). Failures are kept KEEP_DAYS for the admin.
CIVICGRID_LOGIN_FAILURES_PER_ACCOUNT = int(env_str("CIVICGRID_LOGIN_FAILURES_PER_ACCOUNT", "5"))
CIVICGRID_LOGIN_FAILURES_PER_ADDRESS = int(env_str("CIVICGRID_LOGIN_FAILURES_PER_ADDRESS", "20"))
CIVICGRID_LOGIN_WINDOW_SECONDS = int(env_str("CIVICGRID_LOGIN_WINDOW_SECONDS", "900"))
CIVICGRID_LOGIN_FAILURES_KEEP_DAYS = int(env_str("CIVICGRID_LOGIN_FAILURES_KEEP_DAYS", "90"))
# How many working days a co-handling unit (协办) has for its part (docs/centres.md).
CIVICGRID_CO_PART_DAYS = int(env_str("CIVICGRID_CO_PART_DAYS", "3"))

# The map's base layer: an intranet tile server in production. Empty means no base
# layer (grids and cases are drawn on a plain background), which works offline.
CIVICGRID_TILE_URL = env_str("CIVICGRID_TILE_URL", "")
CIVICGRID_TILE_ATTRIBUTION = env_str("CIVICGRID_TILE_ATTRIBUTION", "")
# Datum of the configured tiles: Amap/Tencent tiles are GCJ-02, Tianditu/OSM WGS84.
CIVICGRID_TILE_DATUM = env_str("CIVICGRID_TILE_DATUM", "wgs84")


def _origin(url: str) -> list[str]:
    """The origin of a tile URL template, for the CSP; Leaflet's ``{s}`` becomes ``*``."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return []  # a path on this site: 'self' covers it
    return [f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"]


# Content-Security-Policy of every response (django-csp): scripts and styles only from
# files of this site, never inline, so a slip that lets data into the page as HTML
# cannot run script. Images also from data:/blob: (photo previews) and the tile server.
# CIVICGRID_CSP_REPORT_ONLY=1 only reports (to CIVICGRID_CSP_REPORT_URI, if set) what
# the policy would refuse; CIVICGRID_CSP_IMG_SRC / _CONNECT_SRC add origins.
CIVICGRID_CSP_REPORT_ONLY = env_bool("CIVICGRID_CSP_REPORT_ONLY", False)
_csp = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [
            SELF,
            "data:",
            "blob:",
            *_origin(CIVICGRID_TILE_URL),
            *env_list("CIVICGRID_CSP_IMG_SRC", []),
        ],
        "connect-src": [SELF, *env_list("CIVICGRID_CSP_CONNECT_SRC", [])],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "report-uri": env_str("CIVICGRID_CSP_REPORT_URI", "") or None,
    }
}
CONTENT_SECURITY_POLICY = None if CIVICGRID_CSP_REPORT_ONLY else _csp
CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp if CIVICGRID_CSP_REPORT_ONLY else None

CIVICGRID_SITE_NAME = env_str("CIVICGRID_SITE_NAME", _("civicgrid"))
# Open311 GeoReport v2 (/open311/v2/): the one jurisdiction_id served, and who to ask.
CIVICGRID_OPEN311_JURISDICTION = env_str(
    "CIVICGRID_OPEN311_JURISDICTION", "dongying.civicgrid.example"
)
CIVICGRID_OPEN311_CONTACT = env_str(
    "CIVICGRID_OPEN311_CONTACT", _("The command centre that runs this site.")
)
# Callbacks (回访, docs/lifecycle.md): the wait before each further try after a call that
# reached nobody, "<amount> <unit>" (units of the time-limit policies); the default makes
# three tries over two working days. After the last try, or when the citizen refuses to
# rate, the callback is recorded without a rating and, unless CLOSE_UNRATED=0, the case
# is closed at once (otherwise it waits "called back, awaiting close" for the centre).
CIVICGRID_CALLBACK_RETRY_AFTER = env_list(
    "CIVICGRID_CALLBACK_RETRY_AFTER", ["4 working_hours", "1 working_days"]
)
CIVICGRID_CALLBACK_CLOSE_UNRATED = env_bool("CIVICGRID_CALLBACK_CLOSE_UNRATED", True)
# Notifications: links in e-mails, texts and webhooks start with CIVICGRID_BASE_URL.
CIVICGRID_BASE_URL = env_str("CIVICGRID_BASE_URL", "http://127.0.0.1:8000")
# Dotted path of the SMS gateway class; the default only logs (notifications.sms).
CIVICGRID_SMS_GATEWAY = env_str(
    "CIVICGRID_SMS_GATEWAY", "civicgrid.notifications.sms.LoggingSmsGateway"
)
# Failed deliveries are retried after 1, 2, 4 … × RETRY_SECONDS, then given up.
CIVICGRID_NOTIFY_MAX_ATTEMPTS = int(env_str("CIVICGRID_NOTIFY_MAX_ATTEMPTS", "8"))
CIVICGRID_NOTIFY_RETRY_SECONDS = int(env_str("CIVICGRID_NOTIFY_RETRY_SECONDS", "60"))
# A sender's claim on a delivery lasts this long; a killed sender's rows are taken over
# after it. At least twice the longest send timeout (EMAIL_TIMEOUT, webhooks' 10 s).
CIVICGRID_NOTIFY_LEASE_SECONDS = int(env_str("CIVICGRID_NOTIFY_LEASE_SECONDS", "60"))
# E-mail is written as files to DATA_DIR/mail unless EMAIL_BACKEND says otherwise
# (production: django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST …).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "civicgrid@localhost")
# Mounts /bench/bare-insert/, the baseline of bench/intake.py. Never on in production.
CIVICGRID_BENCH_ENDPOINTS = env_bool("CIVICGRID_BENCH_ENDPOINTS", False)
# A Server-Timing header on every response: server and database time, query count
# (core.timing). Cheap; it tells anyone who can load a page how long it took.
CIVICGRID_SERVER_TIMING = env_bool("CIVICGRID_SERVER_TIMING", False)
# TEST ONLY, off by default: every intake sleeps this many seconds inside its
# transaction, after the case, its event, the door's row and the idempotency key are
# written and before the commit, so a test can kill the server mid-POST
# (open311/tests/test_kill_mid_post.py). Never set it on a real server.
CIVICGRID_TEST_STALL_INTAKE = float(env_str("CIVICGRID_TEST_STALL_INTAKE", "0") or 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
