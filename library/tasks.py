"""Entry points that django-q2 runs in the worker process."""

from __future__ import annotations

import logging

from library import importing, scanning, signals
from library.models import ScanRun, Series
from library.sync import refresh_season, sync_series

log = logging.getLogger(__name__)


def refresh_series(series_id: int) -> None:
    """The first refresh of a series just added or attached (``catalog.schedule_refresh``)."""
    series = Series.objects.filter(id=series_id).first()
    if series is not None:
        sync_series(series, remote=True)
        # Told after the episodes loaded: the NFO step maps TMDB's seasons onto them.
        for receiver, result in signals.series_loaded.send_robust(sender=Series, series=series):
            if isinstance(result, Exception):
                log.error("series %s loaded: %s failed: %r", series.key, receiver, result)


def run_scan(run_id: int) -> None:
    scanning.run_scan(run_id)


def refresh_one_season(series_id: int, season: int) -> None:
    series = Series.objects.filter(id=series_id).first()
    if series is not None:
        refresh_season(series, season)


def run_import(run_id: int, attach: bool) -> None:
    importing.run_import(ScanRun.objects.get(id=run_id), attach=attach, use_cache=True)
