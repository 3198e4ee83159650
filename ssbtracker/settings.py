"""SSB Tracker settings, read from the environment (see .env.example)."""

import hashlib
import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from ssbtracker.env import database_from_url, envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = envbool("DEBUG", default=False)
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")

_DEV_SECRET = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
MIN_SECRET_KEY_LENGTH = 50
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not (DEBUG or TESTING):
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string (for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`), or set DEBUG=1 "
            "for local development (make run does this for you)."
        )
    if len(SECRET_KEY) < MIN_SECRET_KEY_LENGTH or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            f"SECRET_KEY is too short or too simple: use at least {MIN_SECRET_KEY_LENGTH} "
            "random characters."
        )
SECRET_KEY = SECRET_KEY or _DEV_SECRET

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG or TESTING else [])
if TESTING:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_countries",
    "django_htmx",
    "simple_history",
    "axes",
    # Serves the API docs page's scripts and styles locally rather than from a CDN.
    "ninja",
    "claims",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files, compressed and with hashed names, straight from the app server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Refused with the security headers above, before anything reads the request.
    "ssbtracker.middleware.RefuseUndecodableRequestsMiddleware",
    "ssbtracker.middleware.HeadMiddleware",
    # A browser's or a CDN's revalidation of a public page, answered with its 304 here.
    "claims.cache.RevalidationMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: refuses log-ins after repeated failures.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ssbtracker.urls"

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
                "django.template.context_processors.csp",
                "claims.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "ssbtracker.wsgi.application"

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL"), base_dir=BASE_DIR)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the status subqueries make the planner's cost estimates large, and
    # compiling them takes PostgreSQL up to a second for a query that runs in milliseconds.
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

if TESTING:
    # Fast hashing for the test suite only.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production: `collectstatic` writes compressed copies with content hashes in their names,
# which WhiteNoise serves with far-future cache headers. Development and tests read the files
# as they are (the hashed names need the manifest that collectstatic writes).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
if TESTING:
    WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS = True

# Cache: rendered pages and facet counts, under a data version that every edit replaces
# (claims/cache.py). Redis in production (REDIS_URL), local memory otherwise; the data
# version itself sits where every worker sees it (Redis, or a file-based cache on this
# machine). Keys are prefixed by the database, so two databases never share pages.
# The status index (claim_history_idx) carries extra columns on PostgreSQL; SQLite, which
# has no such columns, builds it on its key columns alone, which is what it needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
REDIS_URL = os.environ.get("REDIS_URL", "")
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", 600)
_DATABASE_ID = repr(sorted(DATABASES["default"].items())).encode()
_CACHE_PREFIX = "ssb-" + hashlib.blake2b(_DATABASE_ID, digest_size=6).hexdigest()
if REDIS_URL:
    _REDIS = {
        # Django's RedisCache, keeping its Redis client and serving uncached while Redis does
        # not answer (see ssbtracker/cache.py).
        "BACKEND": "ssbtracker.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": _CACHE_PREFIX,
        # A Redis that stops answering must not hold requests: after these many seconds the
        # page is served uncached (ssbtracker/cache.py).
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    # Redis holds the pages and the data version; each process keeps the version (told of
    # changes by Redis: ssbtracker/cache.py) and its most asked-for pages (claims/cache.py),
    # both good only under the current version.
    CACHES = {
        "default": _REDIS,
        "local-pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "local-pages",
            # Kept gzipped: a few KB each, the largest (the map at full scale) 150 KB.
            "OPTIONS": {"MAX_ENTRIES": envint("LOCAL_PAGE_ENTRIES", 100)},
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
            "KEY_PREFIX": _CACHE_PREFIX,
            "OPTIONS": {"MAX_ENTRIES": envint("LOCMEM_CACHE_ENTRIES", 300)},
        },
        "versions": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "versions",
        }
        if TESTING
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": Path(tempfile.gettempdir()) / f"ssbtracker-versions-{_CACHE_PREFIX}",
            "KEY_PREFIX": _CACHE_PREFIX,
        },
    }
# Rendered table rows (templates/includes/milestone_table.html), kept by each process: a list
# shows fifty at a time, too many for a round trip to Redis each. Their keys hold the data
# version, read from the shared cache, so no process shows a row older than the last edit.
CACHES["rows"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "rows",
    "OPTIONS": {"MAX_ENTRIES": 5000},  # about 2 KB each
}

# Where readers send corrections ("report an error" on every page).
CORRECTIONS_EMAIL = os.environ.get("CORRECTIONS_EMAIL", "corrections@ssbtracker.example")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"one_line_warning": {"()": "ssbtracker.logfilters.OneLineWarning"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # An unknown Host header (scanners, a stale DNS name): answered 400, logged in a line.
        "django.security.DisallowedHost": {"filters": ["one_line_warning"]},
    },
}


# --- Security ---------------------------------------------------------------------------------
# Behind the TLS proxy in production: it must set X-Forwarded-Proto (see README, Deploying).
if envbool("BEHIND_TLS_PROXY", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", default=not (DEBUG or TESTING))
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# The preload flag only asks; nothing is preloaded until the domain is submitted.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: scripts and styles from this site only (htmx from django-htmx's
# static files), no inline script or eval; a nonce for any inline script a page needs.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Log-in throttling (django-axes): after AXES_FAILURE_LIMIT failures for one account from one
# client address, that account is refused from that address for AXES_COOLOFF_TIME. Never by
# account alone or address alone: a stranger's guesses must not lock an editor out, nor (behind
# a proxy, or a shared office address) one client's failures lock out everyone else.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False


def client_address_settings(*, trusted_proxies: int) -> dict:
    """Where django-axes (through django-ipware) reads the client's address.

    With no trusted proxy, the socket's address (REMOTE_ADDR); X-Forwarded-For is ignored, as
    anyone can send it. Behind `trusted_proxies` proxies that each append the address they
    received the request from, the client is that many entries from the right of
    X-Forwarded-For: what a client wrote further left is not trusted. django-ipware counts
    the proxies *listed* in the header (the last proxy's own address is REMOTE_ADDR), hence
    one less; not strict, so a client's own extra entries are skipped rather than refused.
    """
    if trusted_proxies <= 0:
        return {
            "AXES_IPWARE_PROXY_COUNT": None,
            "AXES_IPWARE_META_PRECEDENCE_ORDER": ["REMOTE_ADDR"],
        }
    return {
        "AXES_IPWARE_PROXY_COUNT": trusted_proxies - 1,
        "AXES_IPWARE_META_PRECEDENCE_ORDER": ["HTTP_X_FORWARDED_FOR"],
    }


# How many proxies in front of the app append to X-Forwarded-For (0: none; use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
_CLIENT_ADDRESS = client_address_settings(trusted_proxies=TRUSTED_PROXY_COUNT)
AXES_IPWARE_PROXY_COUNT = _CLIENT_ADDRESS["AXES_IPWARE_PROXY_COUNT"]
AXES_IPWARE_META_PRECEDENCE_ORDER = _CLIENT_ADDRESS["AXES_IPWARE_META_PRECEDENCE_ORDER"]
IPWARE_STRICT = False
