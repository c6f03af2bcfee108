"""Liveness (`/health`) and the detailed checks behind `/health/detailed`.

Each check answers ``{"status": "ok"|"error", "message": …}``; the detailed
view is ``healthy`` only when every check is ok, and answers 503 otherwise so a
monitor can alert on the status code alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections.abc import Callable
from pathlib import Path

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.dispatch import Signal
from django.http import JsonResponse
from django.views.decorators.http import require_GET
from django_q.models import Schedule
from django_q.status import Stat

from accounts.middleware import is_authenticated
from aniworld import mirrors
from aniworld.api import error_response
from aniworld.disk_space import GIGABYTE, disk_space, min_free_bytes
from aniworld.library_root import library_root
from nfo.health import tmdb_status
from system.config_changes import is_writable_dir

log = logging.getLogger(__name__)

# After the detailed checks ran (System page, /health/detailed). kwargs: results
# ({name: {"status", "message", …}}). Receivers connect in their AppConfig.ready().
checks_completed = Signal()

LOW_DISK_BYTES = 2 * GIGABYTE
WORKER_STALE_SECONDS = 60


def ok(message: str, **extra) -> dict:
    return {"status": "ok", "message": message, **extra}


def error(message: str, **extra) -> dict:
    return {"status": "error", "message": message, **extra}


def check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return error(f"database unreachable: {exc}")
    vendor = connection.vendor
    return ok(f"{vendor} answered in {(time.monotonic() - started) * 1000:.0f} ms", vendor=vendor)


def _disk(path: Path, label: str, minimum: int) -> dict:
    try:
        space = disk_space(path)
    except OSError as exc:
        return error(f"{label} {path} is not accessible: {exc}")
    free = space.free
    message = f"{free / GIGABYTE:.1f} GB free of {space.total / GIGABYTE:.1f} GB at {path}"
    if free < minimum:
        return error(f"low disk space on {label}: {message}", free_bytes=free)
    return ok(message, free_bytes=free)


def check_data_disk() -> dict:
    """The data directory (database, logs: never below LOW_DISK_BYTES) and the temp folder."""
    data = _disk(settings.DATA_DIR, "the data directory", LOW_DISK_BYTES)
    if data["status"] != "ok":
        return data
    temp = _disk(settings.TEMP_DIR, "the temp folder", min_free_bytes())
    return temp if temp["status"] != "ok" else data


def check_library() -> dict:
    path = library_root()
    if path is None:
        return ok("no library directory configured yet")
    if not path.is_dir():
        return error(f"library directory missing: {path}")
    if not _writable(path):
        return error(f"library directory is read-only: {path}")
    return _disk(path, "the library", min_free_bytes())


def _writable(path: Path) -> bool:
    """Tried, not read from mode bits: root passes those, not a read-only mount."""
    return is_writable_dir(path)


def _cluster_stats():
    return [stat for stat in Stat.get_all() if stat is not None]


def check_worker() -> dict:
    try:
        stats = _cluster_stats()
    except Exception as exc:
        return error(f"cannot read worker state: {exc}")
    if not stats:
        return error("worker not running")
    stat = stats[0]
    return ok(f"worker cluster {stat.cluster_id} is {stat.status}", workers=len(stat.workers))


def check_tmdb() -> dict:
    """What the last TMDB call said about the key (TMDB itself is not called here)."""
    status = tmdb_status()
    if status.ok:
        return ok(status.message)
    return error(status.message, detail=status.detail, checked_at=status.checked_at)


def check_scheduler() -> dict:
    try:
        stats = _cluster_stats()
        schedules = Schedule.objects.count()
    except Exception as exc:
        return error(f"cannot read scheduler state: {exc}")
    if not stats:
        return error("scheduler not running (it runs inside the worker cluster)")
    return ok(f"scheduler running with {schedules} schedule(s)", schedules=schedules)


async def check_channel_layer() -> dict:
    """Send a message to ourselves through the layer (runs on the server's event loop,
    where the layer's background tasks live)."""
    layer = get_channel_layer()
    if layer is None:
        return error("no channel layer configured")
    started = time.monotonic()
    # A fresh context keeps the layer's background tasks off this request's
    # sync thread (asgiref binds thread-sensitive calls to it; it ends with the request).
    loop = asyncio.get_running_loop()
    try:
        await loop.create_task(_round_trip(layer), context=contextvars.Context())
    except Exception as exc:
        return error(f"{type(layer).__name__} round trip failed: {exc or type(exc).__name__}")
    elapsed = (time.monotonic() - started) * 1000
    return ok(f"{type(layer).__name__} round trip in {elapsed:.0f} ms")


async def _round_trip(layer) -> None:
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "health.ping"})
    message = await asyncio.wait_for(layer.receive(channel), timeout=3)
    if message.get("type") != "health.ping":
        raise RuntimeError(f"unexpected message {message!r}")
    await _release(layer, channel)


async def _release(layer, channel: str) -> None:
    """Give the channel back: layers such as Redis pub/sub keep a subscription per
    channel until a receive on it is cancelled (Channels has no delete_channel)."""
    waiting = asyncio.ensure_future(layer.receive(channel))
    await asyncio.sleep(0)
    waiting.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await waiting


CHECKS: dict[str, Callable[[], dict]] = {
    "database": check_database,
    "disk": check_data_disk,
    "library": check_library,
    "worker": check_worker,
    "scheduler": check_scheduler,
    "tmdb": check_tmdb,
}


def run_sync_checks() -> dict[str, dict]:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # a broken check must not break the report
            log.exception("health check %s crashed", name)
            results[name] = error(f"check failed: {exc}")
    return results


async def run_checks() -> dict[str, dict]:
    results = await sync_to_async(run_sync_checks)()
    try:
        results["channel_layer"] = await check_channel_layer()
    except Exception as exc:
        log.exception("health check channel_layer crashed")
        results["channel_layer"] = error(f"check failed: {exc}")
    await sync_to_async(announce_results)(results)
    return results


def announce_results(results: dict[str, dict]) -> None:
    for receiver, outcome in checks_completed.send_robust(sender=None, results=results):
        if isinstance(outcome, Exception):
            log.error("health results: %s failed: %r", receiver, outcome)


@require_GET
def health(request):
    return JsonResponse({"status": "healthy", "version": settings.VERSION})


@require_GET
async def health_detailed(request):
    if not await sync_to_async(is_authenticated)(request):
        return error_response(401, request)
    checks = await run_checks()
    healthy = all(result["status"] == "ok" for result in checks.values())
    return JsonResponse(
        {
            "status": "healthy" if healthy else "unhealthy",
            "version": settings.VERSION,
            "checks": checks,
            # Per site: the mirror in use and each mirror's last failure.
            "mirrors": await sync_to_async(mirrors.overview)(),
        },
        status=200 if healthy else 503,
    )
