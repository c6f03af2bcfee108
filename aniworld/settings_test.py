"""Settings for the test suite: the real settings, on a throw-away data dir.

``DATABASE_URL`` and ``REDIS_URL`` are honoured, so the same suite runs against
SQLite and against PostgreSQL + Redis. Without Redis the channel layer is the
in-memory one (unit tests only); the multi-process tests start real servers
with the production settings.
"""

import os
import tempfile
from urllib.parse import urlsplit, urlunsplit

from django.contrib.auth.hashers import PBKDF2PasswordHasher

# Each pytest-xdist worker gets dirs of its own: it inherits the controller's environment.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
for _variable, _prefix in (("ANIWORLD_DATA_DIR", "data"), ("ANIWORLD_TEMP_DIR", "temp")):
    if _xdist_worker or _variable not in os.environ:
        os.environ[_variable] = tempfile.mkdtemp(prefix=f"aniworld-test-{_prefix}-")
os.environ.setdefault("ANIWORLD_REMOTE_BACKOFF", "0.01")
os.environ.setdefault("ANIWORLD_INDEX_RATE", "200")
# Under pytest-xdist each worker gets a Redis database of its own (15, 14, …), so one
# worker's cache.clear() or events never reach another's tests. Set in the environment,
# so the app processes a test starts use the same one.
if _xdist_worker.startswith("gw") and os.environ.get("REDIS_URL"):
    _redis = urlsplit(os.environ["REDIS_URL"])
    _db = int(_redis.path.strip("/") or 0) - int(_xdist_worker[2:])
    os.environ["REDIS_URL"] = urlunsplit(_redis._replace(path=f"/{_db}"))

from aniworld.settings import *  # noqa: E402, F403
from aniworld.settings import REDIS_URL  # noqa: E402

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
