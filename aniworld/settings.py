"""Django settings for Aniworld.

Values come from the environment (strict helpers in ``aniworld.env``), then
``data/config.json``, then defaults. See the configuration table in README.md.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from corsheaders.defaults import default_headers
from django.core.exceptions import ImproperlyConfigured
from redis import connection as redis_connection

from aniworld.config import ConfigFileError, ConfigStore, apply_env_overrides
from aniworld.env import LOG_LEVELS, env_bool, env_choice, env_int, env_list, env_str
from aniworld.secrets import load_or_create_secret

BASE_DIR = Path(__file__).resolve().parent.parent
VERSION = "0.1.0"

DATA_DIR = Path(env_str("ANIWORLD_DATA_DIR", str(BASE_DIR / "data"))).resolve()
TEMP_DIR = Path(env_str("ANIWORLD_TEMP_DIR", str(BASE_DIR / "Temp"))).resolve()
ANIWORLD_CONFIG_FILE = DATA_DIR / "config.json"
LOG_DIR = DATA_DIR / "logs"
BACKUP_DIR = DATA_DIR / "backups"
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)  # private: see aniworld/file_modes.py

try:
    _file_config = apply_env_overrides(ConfigStore(ANIWORLD_CONFIG_FILE).load(), os.environ)
except ConfigFileError as exc:
    raise ImproperlyConfigured(str(exc)) from exc

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = load_or_create_secret(DATA_DIR / "secret_key")
JWT_SECRET_KEY = env_str("JWT_SECRET_KEY") or load_or_create_secret(DATA_DIR / "jwt_secret_key")
LOG_LEVEL = env_choice("LOG_LEVEL", _file_config["logging"]["level"].upper(), LOG_LEVELS)

HOST = env_str("HOST", "127.0.0.1")
PORT = env_int("PORT", 8000, minimum=1, maximum=65535)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
if HOST not in ("0.0.0.0", "::") and HOST not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(HOST)
CORS_ALLOWED_ORIGINS = env_list("CORS_ORIGINS", ["http://localhost:3000", "http://localhost:8000"])
# Browser clients on those origins may authenticate with the API key, too.
CORS_ALLOW_HEADERS = (*default_headers, "x-api-key")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# Only behind a reverse proxy that sets X-Forwarded-For (rate limits, auth logs).
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)

# Mirror lists as the process started; code asks aniworld.mirrors, which sees changes.
ANIWORLD_SITE_URLS = _file_config["sites"]["aniworld_urls"]
STO_SITE_URLS = _file_config["sites"]["sto_urls"]
ANIWORLD_SITE_URL = ANIWORLD_SITE_URLS[0]
STO_SITE_URL = STO_SITE_URLS[0]
# Reaching the sites (README, "When a site blocks you"): extra trusted CAs, a proxy
# and a DNS-over-HTTPS resolver for site and hoster traffic, a FlareSolverr endpoint.
ANIWORLD_CA_BUNDLE = env_str("ANIWORLD_CA_BUNDLE", "")
if ANIWORLD_CA_BUNDLE and not os.access(ANIWORLD_CA_BUNDLE, os.R_OK):
    raise ImproperlyConfigured(f"ANIWORLD_CA_BUNDLE {ANIWORLD_CA_BUNDLE} is not a readable file")
ANIWORLD_PROXY = env_str("ANIWORLD_PROXY", "")
if ANIWORLD_PROXY and not ANIWORLD_PROXY.startswith(
    ("http://", "https://", "socks5://", "socks5h://")
):
    raise ImproperlyConfigured("ANIWORLD_PROXY must be an http://, socks5:// or socks5h:// URL")
DNS_OVER_HTTPS = env_str("DNS_OVER_HTTPS", "")
if DNS_OVER_HTTPS and not DNS_OVER_HTTPS.startswith("https://"):
    raise ImproperlyConfigured("DNS_OVER_HTTPS must be an https://…/dns-query URL")
FLARESOLVERR_URL = env_str("FLARESOLVERR_URL", "")
# host:port that hosters, redirects and playlists may name although private (see addresses.py).
ANIWORLD_ALLOW_PRIVATE_HOSTS = env_list("ANIWORLD_ALLOW_PRIVATE_HOSTS", [])
TMDB_API_URL = env_str("TMDB_API_URL", "https://api.themoviedb.org/3")
TMDB_IMAGE_URL = env_str("TMDB_IMAGE_URL", "https://image.tmdb.org/t/p")
# Remote timing knobs; tests shorten them.
REMOTE_RETRIES = env_int("ANIWORLD_REMOTE_RETRIES", 3, minimum=0, maximum=10)
REMOTE_BACKOFF_SECONDS = float(env_str("ANIWORLD_REMOTE_BACKOFF", "0.5"))
# Politeness towards the index sites: requests a second per site.
INDEX_REQUESTS_PER_SECOND = float(env_str("ANIWORLD_INDEX_RATE", "4"))
# The media fetch's retries and timeouts (downloads.media.download_media keyword arguments).
DOWNLOAD_MEDIA_OPTIONS: dict = {}
# Multiplies the pauses between retries of a failing hoster (tests shorten them).
DOWNLOAD_BACKOFF_SCALE = 1.0
# Series refreshed from the index at once during a scan (the client also rate-limits).
LIBRARY_SCAN_CONCURRENCY = env_int("ANIWORLD_SCAN_CONCURRENCY", 2, minimum=1, maximum=8)

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "channels",
    "django_htmx",
    "template_partials",
    "django_q",
    "aniworld",
    "system",
    "accounts",
    "library",
    "downloads",
    "nfo",
    "connect",
    "history",
    "episode_calendar",
]

MIDDLEWARE = [
    "aniworld.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "accounts.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "aniworld.middleware.ApiErrorMiddleware",
    "accounts.middleware.AccessMiddleware",
]

ROOT_URLCONF = "aniworld.urls"
ASGI_APPLICATION = "aniworld.asgi.application"

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
                "aniworld.context_processors.app",
                "aniworld.context_processors.navigation",
            ],
        },
    },
]

# --- database ---------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'aniworld.db'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
DATABASE_IS_SQLITE = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
if DATABASE_IS_SQLITE:
    # A web process and a worker process write at once: WAL lets readers go on
    # while one writes, IMMEDIATE takes the write lock at BEGIN (no deadlocking
    # upgrades), and the busy timeout waits for the lock instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- redis: channel layer, task broker, cache --------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # Pub/sub: an event is one PUBLISH that each web process receives once and
    # hands to its clients. Events are live-only; a client that joins gets the
    # current state (README, "Live progress: channel layer choice"). Pub/sub
    # channels ignore the database number, so the prefix carries it: installations
    # on one Redis server, each with a database of its own, never see each
    # other's events (as they never see each other's cache or tasks).
    _redis_db = redis_connection.parse_url(REDIS_URL).get("db", 0)
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": f"aniworld.db{_redis_db}"},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "aniworld",
        }
    }
else:
    # Channel traffic lives in its own SQLite file so it never waits for the
    # main database's write lock (README, "Live progress: channel layer choice").
    DATABASES["channels"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "channels.db"),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
    DATABASE_ROUTERS = ["channels_lite.router.ChannelsRouter"]
    INSTALLED_APPS.append("channels_lite")
    CHANNEL_LAYERS = {
        "default": {
            # channels-lite with batched fan-out (aniworld/channel_layer.py); the
            # web process polls its rows every 50 ms.
            "BACKEND": "aniworld.channel_layer.BatchedSQLiteChannelLayer",
            "CONFIG": {"database": "channels", "polling_interval": 0.05},
        }
    }
    # A cache on disk is shared by the web and the worker process (rate limits,
    # the worker's heartbeat) without any extra server.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

# --- django-q2: wakes the download worker and runs schedules -----------------
# No prefetch; a download may take hours, so the timeout is long and `retry` is
# longer still, so the broker never hands the same task out twice. Two workers,
# so a scan or an NFO batch never waits behind a long download: downloads stay
# strictly one at a time because the queue's claim refuses a second active item.
Q_CLUSTER = {
    "name": "aniworld",
    "workers": 2,
    "recycle": 50,
    "timeout": 6 * 3600,
    "retry": 6 * 3600 + 600,
    "max_attempts": 1,
    "ack_failures": True,
    "catch_up": False,
    "bulk": 1,
    "queue_limit": 1,
    "save_limit": 200,
    "label": "Tasks",
    "poll": 0.5,
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# --- auth ---------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = []
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
LOGIN_URL = "login"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "aniworld.views.csrf_failure"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.revocation.RevocableJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        "accounts.api_key.ApiKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "aniworld.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "aniworld.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SIMPLE_JWT = {
    "SIGNING_KEY": JWT_SECRET_KEY,
    "ALGORITHM": "HS256",
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=30),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=14),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": False,
    # Tokens carry a hash of the password: a password change revokes them all.
    "CHECK_REVOKE_TOKEN": True,
}
SPECTACULAR_SETTINGS = {
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "TITLE": "Aniworld API",
    "DESCRIPTION": "Anime library and download manager",
    "VERSION": VERSION,
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "aniworld.api.document_error_responses",
    ],
}

# --- i18n, static -------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", env_str("TZ", "UTC"))
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024

# --- logging ------------------------------------------------------------------
LOGGING_CONFIG = None  # aniworld.logs.configure() sets logging up in AppConfig.ready
