"""Entry points that django-q2 runs in the worker process.

Failures are recorded in each series' ``NfoState`` (and the batch's progress),
so a task only logs them instead of failing.
"""

from __future__ import annotations

import logging

from aniworld.errors import AppError
from library.models import Episode, Series
from nfo import episodes, repair, service
from nfo.health import tmdb_configured

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
    return repair.run_batch(keys, force=force)


def repair_library() -> None:
    try:
        repair.repair_library()
    except AppError as exc:
        log.warning("NFO repair did not run: %s", exc.message)


def complete_episode_nfo(episode_id: int) -> None:
    """After a download whose episode had no TMDB data yet: fetch it, write the NFO."""
    episode = Episode.objects.select_related("series").filter(id=episode_id).first()
    if episode is None:
        return
    try:
        service.complete_episode_nfo(episode)
    except AppError as exc:
        log.warning("the NFO of %s was not completed: %s", episode, exc.message)


def refresh_air_dates() -> dict:
    """After the daily rescan: every matched series' episodes (air dates) anew from TMDB."""
    if not tmdb_configured():
        return {"refreshed": [], "failed": {}}
    return episodes.refresh_matched_series()
