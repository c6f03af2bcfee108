"""Whether TMDB takes our key, as learnt from the calls we make anyway.

``/health/detailed`` must not call TMDB on every request, so each NFO job
records the outcome of its TMDB calls here (in the cache, which the web and
worker processes share). The record carries a fingerprint of the key it was
made with: a new key starts with a clean slate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

from aniworld import config
from nfo.tmdb import TmdbAuthError, TmdbNotFound

CACHE_KEY = "nfo:tmdb-last-call"
KEY_REJECTED = "TMDB key rejected"


@dataclass(frozen=True)
class TmdbStatus:
    ok: bool
    message: str
    detail: str = ""
    checked_at: str = ""


def api_key() -> str:
    return config.current()["tmdb"]["api_key"].strip()


def tmdb_configured() -> bool:
    return bool(api_key())


def _fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _record(accepted: bool, detail: str = "") -> None:
    cache.set(
        CACHE_KEY,
        {
            "key": _fingerprint(api_key()),
            "accepted": accepted,
            "detail": detail,
            "at": timezone.now().isoformat(),
        },
        timeout=None,
    )


@contextmanager
def watching_tmdb() -> Iterator[None]:
    """Record whether TMDB accepted the key during the calls in the block."""
    try:
        yield
    except TmdbAuthError as exc:
        _record(False, exc.message)
        raise
    except TmdbNotFound:
        _record(True)  # TMDB checks the key before it looks anything up
        raise
    _record(True)


def tmdb_status() -> TmdbStatus:
    key = api_key()
    if not key:
        return TmdbStatus(True, "no TMDB key configured: NFO files and artwork are not written")
    last = cache.get(CACHE_KEY)
    if not last or last.get("key") != _fingerprint(key):
        return TmdbStatus(True, "TMDB key configured, not used yet")
    if not last["accepted"]:
        return TmdbStatus(False, KEY_REJECTED, last["detail"], last["at"])
    return TmdbStatus(True, "the last TMDB call succeeded", checked_at=last["at"])
