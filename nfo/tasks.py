"""Entry points that django-q2 runs in the worker process.

Failures are recorded in each series' ``NfoState`` (and the batch's progress),
so a task only logs them instead of failing.
"""

from __future__ import annotations

import logging

from aniworld.errors import AppError
from library.models import Series
from nfo import service

log = logging.getLogger(__name__)


def create_nfo(series_id: int, force: bool = False) -> None:
    series = Series.objects.filter(id=series_id).first()
    if series is None:
        return
    try:
        service.create_or_refresh(series, force=force)
    except AppError as exc:
        log.warning("the NFO of %s was not written: %s", series.key, exc.message)


def run_batch(keys: list[str], force: bool = False) -> dict:
    return service.run_batch(keys, force=force)


def repair_library() -> None:
    try:
        service.repair_library()
    except AppError as exc:
        log.warning("NFO repair did not run: %s", exc.message)
