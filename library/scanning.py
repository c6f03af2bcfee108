"""Library scans: the disk, then each series' index page, with progress and a stored result.

A scan walks the library root (re-attaching folders through their ``data``
files), refreshes every series from its index site with bounded concurrency,
and records what it found in a ``ScanRun``. Only one scan runs at a time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone
from django_q.tasks import async_task

from aniworld.errors import Conflict, RemoteError
from aniworld.progress import ProgressReporter
from library.catalog import get_series, import_from_data_file, require_root
from library.disk import ScanCache, SeriesFolderScan, scan_library
from library.models import ScanKind, ScanRun, ScanStatus, Series
from library.sync import SyncResult, sync_series

log = logging.getLogger(__name__)

# Per process: a second scan with nothing changed reuses the folders' results.
disk_cache = ScanCache()


def start_scan(series_key: str = "", *, remote: bool = True) -> ScanRun:
    """Record a running scan and hand it to the worker; 409 while another one runs."""
    run = create_scan_run(series_key, remote=remote)
    transaction.on_commit(lambda: _queue(run.id))
    return run


def create_scan_run(
    series_key: str = "", *, remote: bool = True, kind: str = ScanKind.SCAN
) -> ScanRun:
    """Record a running scan or import (run by the caller); 409 while another one runs."""
    if series_key:
        get_series(series_key)
    require_root()
    try:
        with transaction.atomic():
            run = ScanRun.objects.create(series_key=series_key, remote=remote, kind=kind)
    except IntegrityError:
        raise Conflict("A scan is already running.", code="SCAN_RUNNING") from None
    return run


def _queue(run_id: int) -> None:
    async_task("library.tasks.run_scan", run_id, task_name=f"scan-{run_id}")


def persist_progress(run: ScanRun) -> Callable[[str, dict[str, Any]], None]:
    def persist(stage: str, data: dict[str, Any]) -> None:
        run.total = data.get("total", run.total)
        run.done = data.get("done", run.done)
        run.current = data.get("current", "")[:300]
        fields = ["total", "done", "current"]
        if stage in ("completed", "failed"):
            run.status = (
                ScanStatus.FAILED if data.get("status") == "failed" else ScanStatus.COMPLETED
            )
            run.finished_at = timezone.now()
            run.summary = data.get("summary", run.summary)
            run.errors = data.get("errors", run.errors)
            fields += ["status", "finished_at", "summary", "errors"]
        run.save(update_fields=fields)

    return persist


def run_scan(run_id: int, on_progress: Callable[[int, int, str], None] | None = None) -> ScanRun:
    """Carry out a recorded scan (in the worker, or inline from ``manage.py scan``)."""
    run = ScanRun.objects.get(id=run_id)
    reporter = ProgressReporter("scan", "scan", persist=persist_progress(run))
    try:
        series, scans, unmatched = _collect(run)
    except (OSError, Conflict, RemoteError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        log.error("scan %s failed: %s", run.id, message)
        reporter.completed(
            status="failed", scan_id=run.id, errors=[message], summary={"error": message}
        )
        return run
    reporter.started(scan_id=run.id, total=len(series), series_key=run.series_key)
    results: list[SyncResult] = []
    for done, result in enumerate(_sync_all(series, scans, run.remote), start=1):
        results.append(result)
        if on_progress:
            on_progress(done, len(series), result.key)
        reporter.progress(scan_id=run.id, total=len(series), done=done, current=result.key)
    errors = [f"{r.key}: {r.error}" for r in results if r.error]
    warnings = [f"{r.key}: {w}" for r in results for w in r.warnings]
    summary = {
        "series": len(results),
        "episodes_on_disk": sum(r.on_disk for r in results),
        "episodes_added": sum(r.added for r in results),
        "episodes_removed": sum(r.removed for r in results),
        "unmatched": unmatched,
        "warnings": warnings,
    }
    reporter.completed(
        status="completed",
        scan_id=run.id,
        total=len(series),
        done=len(series),
        summary=summary,
        errors=errors,
    )
    return run


def _collect(run: ScanRun) -> tuple[list[Series], dict[str, SeriesFolderScan], list[str]]:
    """The series to sync, their folder scans, and the folders no series claims."""
    root = require_root()
    if run.series_key:
        return [get_series(run.series_key)], {}, []
    library = scan_library(root, cache=disk_cache)
    unmatched = []
    for folder in library.series:
        if folder.ref is None:
            unmatched.append(folder.folder)
        else:
            import_from_data_file(folder.ref, folder.folder)
    scans = {folder.folder: folder for folder in library.series}
    return list(Series.objects.order_by("name")), scans, unmatched


def _sync_all(series: list[Series], scans: dict[str, SeriesFolderScan], remote: bool):
    def sync(item: Series) -> SyncResult:
        return sync_series(item, remote=remote, scan=scans.get(item.folder))

    def sync_in_thread(item: Series) -> SyncResult:
        try:
            return sync(item)
        finally:
            connection.close()  # each pool thread opened its own connection

    workers = settings.LIBRARY_SCAN_CONCURRENCY
    if not remote or workers < 2 or len(series) < 2:
        yield from map(sync, series)
        return
    close_old_connections()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(sync_in_thread, series)


def recover_interrupted_scans() -> None:
    """At start: a scan left running by a crash or kill is marked failed."""
    count = ScanRun.objects.filter(status=ScanStatus.RUNNING).update(
        status=ScanStatus.FAILED,
        finished_at=timezone.now(),
        errors=["interrupted by a restart"],
    )
    if count:
        log.warning("marked %d interrupted scan(s) as failed", count)


def scan_state() -> dict[str, Any]:
    running = ScanRun.objects.filter(status=ScanStatus.RUNNING).first()
    last = ScanRun.objects.exclude(status=ScanStatus.RUNNING).first()
    return {"running": running, "last": last}
