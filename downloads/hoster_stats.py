"""How well each hoster works lately, from the worker's attempt records.

The worker records every try of a hoster link (``record``). From those records
come the System page's table and ``GET /api/hosters`` (``overview``), and the
automatic fallback order (``fallback_order``): a hoster whose last
``DEMOTE_AFTER`` attempts all failed goes behind the others, so downloads stop
wasting their first minutes on a hoster that is down.
"""

from __future__ import annotations

from typing import Any

from downloads.hosters import EXTRACTORS
from downloads.models import DownloadItem, HosterAttempt

RATE_WINDOW = 50
DEMOTE_AFTER = 10
KEEP_PER_HOSTER = 500


def record(hoster: str, *, succeeded: bool, error: str = "", item: DownloadItem | None = None):
    """Remember one attempt; old records beyond what the figures need are dropped."""
    HosterAttempt.objects.create(hoster=hoster, item=item, succeeded=succeeded, error=error)
    stale = HosterAttempt.objects.filter(hoster=hoster).values_list("id", flat=True)[
        KEEP_PER_HOSTER:
    ]
    stale_ids = list(stale)
    if stale_ids:
        HosterAttempt.objects.filter(id__in=stale_ids).delete()


def hoster_summary(name: str) -> dict[str, Any]:
    """``{name, attempts, succeeded, success_rate, last_error, last_success_at}`` over the
    last ``RATE_WINDOW`` attempts; ``success_rate`` is None before the first attempt."""
    recent = list(
        HosterAttempt.objects.filter(hoster=name).values("succeeded", "error", "at")[:RATE_WINDOW]
    )
    succeeded = sum(1 for attempt in recent if attempt["succeeded"])
    last_error = next((a["error"] for a in recent if not a["succeeded"]), "")
    last_success = (
        HosterAttempt.objects.filter(hoster=name, succeeded=True)
        .values_list("at", flat=True)
        .first()
    )
    return {
        "name": name,
        "attempts": len(recent),
        "succeeded": succeeded,
        "success_rate": round(succeeded / len(recent), 3) if recent else None,
        "last_error": last_error,
        "last_success_at": last_success.isoformat() if last_success else None,
    }


def overview() -> list[dict[str, Any]]:
    """Every hoster we have an extractor for, plus any other name that was tried."""
    tried = HosterAttempt.objects.values_list("hoster", flat=True).distinct()
    names = list(EXTRACTORS) + sorted(set(tried) - set(EXTRACTORS))
    return [hoster_summary(name) for name in names]


def is_failing(name: str) -> bool:
    """True when the last ``DEMOTE_AFTER`` attempts of ``name`` all failed."""
    recent = list(
        HosterAttempt.objects.filter(hoster=name).values_list("succeeded", flat=True)[:DEMOTE_AFTER]
    )
    return len(recent) == DEMOTE_AFTER and not any(recent)


def fallback_order(order: list[str]) -> list[str]:
    """``order`` with failing hosters moved behind the others, each group keeping its order."""
    failing = {name for name in order if is_failing(name)}
    return [name for name in order if name not in failing] + [
        name for name in order if name in failing
    ]
