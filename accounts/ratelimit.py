"""Fixed-window request limits per client address, counted atomically.

Without Redis the count is one conditional UPDATE of a row in the database
(``count = count + 1 WHERE count < limit``), which the database serialises
across threads and processes: of any number of parallel requests exactly
``limit`` pass. With ``REDIS_URL`` it is Redis's own atomic INCR. (Django's file
cache, used before, reads then writes: 60 parallel requests all passed.)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import redis
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from accounts.models import RateCounter


@dataclass(frozen=True)
class Limit:
    scope: str
    requests: int
    window_seconds: int


LOGIN_LIMIT = Limit("login", 5, 60)
# Setup has a budget of its own: trying passwords that are too weak must not lock
# the owner out of logging in right after.
SETUP_LIMIT = Limit("setup", 10, 60)
ANONYMOUS_LIMIT = Limit("anonymous", 60, 60)
REDIS_KEY_PREFIX = "aniworld:ratelimit"


def hit(limit: Limit, client: str) -> int | None:
    """Count one request; return the seconds to wait when over the limit, else None."""
    now = time.time()
    window = int(now // limit.window_seconds)
    key = f"{limit.scope}:{client}:{window}"[: RateCounter._meta.pk.max_length]
    counted = _count_in_redis if settings.REDIS_URL else _count_in_database
    if counted(key, limit, window):
        return None
    return max(1, int((window + 1) * limit.window_seconds - now) + 1)


def _count_in_database(key: str, limit: Limit, window: int) -> bool:
    """Add one to the window's counter if it is below the limit; True when added."""
    if _add_one_below_limit(key, limit):
        return True
    expires_at = datetime.fromtimestamp((window + 1) * limit.window_seconds, tz=UTC)
    try:
        with transaction.atomic():
            RateCounter.objects.create(key=key, count=1, expires_at=expires_at)
    except IntegrityError:
        # Another request made the row first: count against it like the rest.
        return _add_one_below_limit(key, limit)
    RateCounter.objects.filter(expires_at__lt=expires_at - timedelta(minutes=10)).delete()
    return True


def _add_one_below_limit(key: str, limit: Limit) -> bool:
    return bool(
        RateCounter.objects.filter(key=key, count__lt=limit.requests).update(count=F("count") + 1)
    )


def _count_in_redis(key: str, limit: Limit, window: int) -> bool:
    full_key = f"{REDIS_KEY_PREFIX}:{key}"
    with redis_client().pipeline(transaction=True) as pipe:
        pipe.incr(full_key)
        pipe.expire(full_key, limit.window_seconds + 5, nx=True)
        count, _ = pipe.execute()
    return count <= limit.requests


@cache
def redis_client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)
