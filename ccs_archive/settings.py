"""
Settings for the CCS meeting archive.

Everything that differs between a laptop and production comes from the
environment; see the README's "Settings" section for each variable.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        # A clear message and exit status 1, not a traceback.
        sys.exit(
            "Refusing to start: SECRET_KEY must be set when DEBUG is off. "
            "Set DEBUG=1 for local development, or export SECRET_KEY for production."
        )
    # Good only for a developer's machine: DEBUG is on, so nothing is public.
    SECRET_KEY = "development-only-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # modeltranslation must come before the admin to patch its forms, and
    # meetings before the admin so that its ready() registers the edit
    # history (with the translated fields) before the admin's own models.
    "modeltranslation",
    "meetings",
    # The admin with the archive's own site (ccs_archive/admin.py).
    "ccs_archive.apps.ArchiveAdminConfig",
    "nested_admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "reversion",
    "axes",
    "csp",
]
# The corpus generator for performance work (perf/) is a development tool: it
# is installed only when asked for, and the test settings always ask.
if env_bool("PERF_TOOLS"):
    INSTALLED_APPS.append("perf")

MIDDLEWARE = [
    "ccs_archive.middleware.request_log",
    "django.middleware.security.SecurityMiddleware",
    # Sees every cookie set below it, and the admin: keeps them out of shared caches.
    "ccs_archive.http_caching.PersonalResponsesMiddleware",
    "ccs_archive.middleware.permissions_policy",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the database: which database this request reads.
    "ccs_archive.replicas.ReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
    "ccs_archive.rate_limits.RateLimitMiddleware",
    "ccs_archive.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "ccs_archive.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "ccs_archive.wsgi.application"


# With no DATABASE_URL, a SQLite file in the project folder: a newcomer needs
# no database server. postgres://… selects PostgreSQL through psycopg 3.
def database_settings(url):
    database = dj_database_url.parse(
        url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")), conn_health_checks=True
    )
    if database["ENGINE"] == "django.db.backends.postgresql":
        # Page queries are short; JIT compilation added 30-160 ms to large ones at a
        # million recommendations (bench/RESULTS.md).
        # A search's bitmap of a common pair of words, and its sort of the
        # candidates, outgrow PostgreSQL's default 4 MB at a million
        # recommendations: the bitmap turns lossy (every row of its pages is
        # checked again) and the sort spills to disk. 16 MB took "Indigenous
        # communities" from 115 to 80 ms (bench/RESULTS.md); a sort or hash
        # takes it only while it runs, and a page runs at most two at a time
        # (a search's year samples beside its candidates: meetings/search/beside.py).
        work_mem = os.environ.get("DATABASE_WORK_MEM", "16MB")
        database.setdefault("OPTIONS", {})["options"] = f"-c jit=off -c work_mem={work_mem}"
        # A database that accepts connections and never answers must not hang a
        # worker: give up connecting after a few seconds (ccs_archive/database.py).
        database["OPTIONS"]["connect_timeout"] = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "3"))
    return database


DATABASES = {
    "default": database_settings(os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}

# Read replicas (ccs_archive/replicas.py): one alias each, replica1, replica2…
# The tests of a copy of this configuration see the primary's test database.
for number, url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    DATABASES[f"replica{number}"] = {**database_settings(url), "TEST": {"MIRROR": "default"}}
DATABASE_REPLICAS = [alias for alias in DATABASES if alias != "default"]
DATABASE_ROUTERS = ["ccs_archive.replicas.ReplicaRouter"]
# Seconds a replica may replay behind the primary and still be read from.
DATABASE_REPLICA_MAX_LAG = float(os.environ.get("DATABASE_REPLICA_MAX_LAG", "5"))
# Seconds each process trusts a replica's last check (up, and how far behind).
DATABASE_REPLICA_CHECK_SECONDS = float(os.environ.get("DATABASE_REPLICA_CHECK_SECONDS", "2"))
# After a write, the browser reads from the primary this long (read-your-writes).
READ_PRIMARY_COOKIE = "ccs_primary"
DATABASE_READ_YOUR_WRITES_SECONDS = int(os.environ.get("DATABASE_READ_YOUR_WRITES_SECONDS", "30"))

# Milliseconds a web request's statement may run on PostgreSQL before it is
# cancelled and the visitor gets the 503 page; 0 for no limit. Management
# commands are not limited (ccs_archive/database.py).
DATABASE_STATEMENT_TIMEOUT = int(os.environ.get("DATABASE_STATEMENT_TIMEOUT", "5000"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# French is the language of the source; English is a translation.
LANGUAGE_CODE = "fr"
LANGUAGES = [
    ("fr", _("French")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "America/Toronto"
USE_TZ = True

MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_LANGUAGES = ("fr", "en")

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names, compressed copies and far-future cache headers.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Downloads ------------------------------------------------------------
# The whole-archive downloads are files written ahead of time, here
# (meetings/open_data/archive_files.py). Their links are absolute, to SITE_URL.
ARCHIVE_FILES_ROOT = Path(os.environ.get("ARCHIVE_FILES_ROOT", BASE_DIR / "archive-files"))
ARCHIVE_FILES_REBUILD = "background"
# Behind nginx: the internal location that serves ARCHIVE_FILES_ROOT (e.g.
# /_archive-files/, deploy/nginx/ccs-archive.conf). The site then answers a
# whole-archive download with X-Accel-Redirect and nginx sends the file.
ARCHIVE_FILES_ACCEL_PREFIX = os.environ.get("ARCHIVE_FILES_ACCEL_PREFIX", "")
SITE_URL = os.environ.get(
    "SITE_URL", f"https://{ALLOWED_HOSTS[0]}" if ALLOWED_HOSTS else "http://127.0.0.1:8000"
)
# Seconds a sitemap stays in the cache; any committed change empties it sooner.
SITEMAP_CACHE_SECONDS = 24 * 60 * 60
# A search's download streams at most this many rows; a broader one is asked
# to narrow down, and pointed to the whole-archive files.
EXPORT_ROW_LIMIT = int(os.environ.get("EXPORT_ROW_LIMIT", "10000"))

ARCHIVE_SOURCE_DIR = BASE_DIR / "fixtures" / "source"
ARCHIVE_FIXTURE = BASE_DIR / "fixtures" / "archive.json"
SUBJECTS_FIXTURE = BASE_DIR / "fixtures" / "subjects.json"
FORMAT_MODULE_PATH = ["ccs_archive.formats"]

# Who publishes this copy of the archive, and where readers write: the About
# page, and the "Report a problem" link on every page (a mailto: with the
# page's address filled in). Each deployment sets its own.
ARCHIVE_PUBLISHER = os.environ.get("ARCHIVE_PUBLISHER", "")
ARCHIVE_CONTACT_EMAIL = os.environ.get("ARCHIVE_CONTACT_EMAIL", "")
ARCHIVE_PROBLEM_EMAIL = os.environ.get("ARCHIVE_PROBLEM_EMAIL", "") or ARCHIVE_CONTACT_EMAIL
# The published page the French text is copied from, linked from the About page.
ARCHIVE_SOURCE_URL = os.environ.get("ARCHIVE_SOURCE_URL", "")

# --- Security -------------------------------------------------------------
# Production defaults are strict; each can be relaxed from the environment
# (for example SECURE_SSL_REDIRECT=0 behind a proxy that already redirects).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER"):
    # Only behind a proxy that sets this header itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# The header's value, as sent. Not named PERMISSIONS_POLICY: django-permissions-policy
# reads that name, as a dict of features.
PERMISSIONS_POLICY_HEADER = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)

# Content-Security-Policy (django-csp): our own files only; no inline
# script or style. JSON-LD blocks are data, not script, and are allowed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Admin login lockout (django-axes): after 5 failures for one username from
# one address, that pair is locked out for an hour.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Staff sign in through the admin, and land there (not on /accounts/profile/).
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Failures during a lockout do not extend it: it ends an hour after it began.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "ccs_archive.client_address.client_address"

# Addresses (or networks) of the reverse proxies in front of the site: only a
# request from one of them has its X-Forwarded-For read for the client's
# address (ccs_archive/client_address.py). Empty: the connecting address.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

# Requests per client address, counted in the cache (ccs_archive/rate_limits.py):
# "N/s", "N/m" or "N/h"; empty turns a limit off.
RATE_LIMITS = {
    "search": os.environ.get("RATE_LIMIT_SEARCH", "60/m"),
    "api": os.environ.get("RATE_LIMIT_API", "120/m"),
    "exports": os.environ.get("RATE_LIMIT_EXPORTS", "20/m"),
    "login": os.environ.get("RATE_LIMIT_LOGIN", "10/m"),
}

# --- HTTP caching (ccs_archive/http_caching.py) ---------------------------
# Seconds a browser, the proxy or a CDN may keep a public page (listing, year,
# meeting, subjects, open data, feeds, sitemap, API reads) before asking
# again, with the archive's ETag, for a 304; an edit reaches every reader
# within this time. Then the stale copy may still be served while a fresh one
# is fetched, and for longer while the site cannot answer.
CACHE_MAX_AGE = int(os.environ.get("CACHE_MAX_AGE", "120"))
CACHE_STALE_WHILE_REVALIDATE = int(os.environ.get("CACHE_STALE_WHILE_REVALIDATE", "600"))
CACHE_STALE_IF_ERROR = int(os.environ.get("CACHE_STALE_IF_ERROR", "86400"))
# Searches (pages, feeds, the API's) and downloads: endless, and rarely asked twice.
CACHE_SEARCH_MAX_AGE = int(os.environ.get("CACHE_SEARCH_MAX_AGE", "30"))

# --- Cache ----------------------------------------------------------------
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            # Django's, giving up at once for a few seconds after a failure (ccs_archive/cache.py).
            "BACKEND": "ccs_archive.cache.GuardedRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            # A Redis that is down or hung costs a request half a second at most.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Seconds Redis is left alone after a failure: meanwhile rate limits are not
# applied and sitemaps are built afresh, at no extra cost per request.
REDIS_RETRY_SECONDS = float(os.environ.get("REDIS_RETRY_SECONDS", "5"))

# --- Logging: one line of JSON per event, on stdout ----------------------
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").strip().upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    sys.exit(
        f"LOG_LEVEL={os.environ['LOG_LEVEL']!r} is not a level: use DEBUG, INFO, WARNING, ERROR or CRITICAL."
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "ccs_archive.logging.JsonFormatter"}},
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
# A load balancer checks health over plain HTTP on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
