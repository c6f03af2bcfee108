"""Entry points that django-q2 runs in the worker process."""

from __future__ import annotations

from library import importing, scanning
from library.models import ScanRun, Series
from library.sync import refresh_season, sync_series
from nfo.service import queue_nfo_if_missing


def refresh_series(series_id: int) -> None:
    series = Series.objects.filter(id=series_id).first()
    if series is not None:
        sync_series(series, remote=True)
        # A newly added series gets its tvshow.nfo and artwork (when a TMDB key is set).
        queue_nfo_if_missing(series)


def run_scan(run_id: int) -> None:
    scanning.run_scan(run_id)


def refresh_one_season(series_id: int, season: int) -> None:
    series = Series.objects.filter(id=series_id).first()
    if series is not None:
        refresh_season(series, season)


def run_import(run_id: int, attach: bool) -> None:
    importing.run_import(ScanRun.objects.get(id=run_id), attach=attach, use_cache=True)
