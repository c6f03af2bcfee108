"""Settings for the test suite: the real settings, on a throw-away data dir.

``DATABASE_URL`` and ``REDIS_URL`` are honoured, so the same suite runs against
SQLite and against PostgreSQL + Redis. Without Redis the channel layer is the
in-memory one (unit tests only); the multi-process tests start real servers
with the production settings.
"""

import os
import tempfile

from django.contrib.auth.hashers import PBKDF2PasswordHasher

os.environ.setdefault("ANIWORLD_DATA_DIR", tempfile.mkdtemp(prefix="aniworld-test-data-"))
os.environ.setdefault("ANIWORLD_TEMP_DIR", tempfile.mkdtemp(prefix="aniworld-test-temp-"))
os.environ.setdefault("ANIWORLD_REMOTE_BACKOFF", "0.01")
os.environ.setdefault("ANIWORLD_INDEX_RATE", "200")

from aniworld.settings import *  # noqa: F403
from aniworld.settings import REDIS_URL

if not REDIS_URL:
    DATABASES.pop("channels", None)  # noqa: F405
    DATABASE_ROUTERS = []
    INSTALLED_APPS = [app for app in INSTALLED_APPS if app != "channels_lite"]  # noqa: F405
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The production hasher (PBKDF2-SHA256) with fewer rounds keeps the suite quick;
# the stored hash has the same format, with its iteration count inside.
PASSWORD_HASHERS = ["aniworld.settings_test.QuickPBKDF2PasswordHasher"]


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1000


# Tasks run inline, so an API call's background work is done when it returns.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}  # noqa: F405
# Scans refresh series one after another: pool threads would not see a test's transaction.
LIBRARY_SCAN_CONCURRENCY = 1
DOWNLOAD_MEDIA_OPTIONS = {
    "retries": 2,
    "fragment_retries": 2,
    "socket_timeout": 5,
    "retry_backoff": 0,
}
DOWNLOAD_BACKOFF_SCALE = 0.0
