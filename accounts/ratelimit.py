"""Fixed-window request limits per client address, kept in the Django cache.

The cache is Redis when ``REDIS_URL`` is set (shared by every server process)
and a file cache in the data dir otherwise (shared by the processes of one
machine), so a limit holds however many processes answer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    scope: str
    requests: int
    window_seconds: int


LOGIN_LIMIT = Limit("login", 5, 60)
ANONYMOUS_LIMIT = Limit("anonymous", 60, 60)


def client_address(request) -> str:
    """The client's address; behind a trusted proxy, the one it reports."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "unknown")


def hit(limit: Limit, client: str) -> int | None:
    """Count one request; return the seconds to wait when over the limit, else None."""
    now = time.time()
    window = int(now // limit.window_seconds)
    key = f"ratelimit:{limit.scope}:{client}:{window}"
    cache.add(key, 0, timeout=limit.window_seconds + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=limit.window_seconds + 5)
        count = 1
    if count > limit.requests:
        return max(1, int((window + 1) * limit.window_seconds - now) + 1)
    return None
