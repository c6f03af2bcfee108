"""Bring a series' episodes in the database up to date with the index site and the disk.

``refresh_from_provider`` asks the index for seasons, episodes, titles and
languages; a provider failure keeps the previous episode list and records the
error on the series. ``apply_disk_scan`` marks what is on disk as downloaded
(and what vanished as not). Together they define "missing": offered in a wanted
language, not on disk.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from aniworld.errors import RemoteError
from aniworld.library_root import library_root, library_root_problem
from library import signals
from library.disk import SeriesFolderScan, scan_series_folder
from library.languages import mask_of
from library.models import Episode, Series, SeriesState
from library.naming import UnsafePathError, safe_join
from library.providers import get_provider

log = logging.getLogger(__name__)


@dataclass
class SyncResult:
    key: str
    episodes: int = 0
    added: int = 0
    removed: int = 0
    on_disk: int = 0
    error: str = ""
    warnings: list[str] = field(default_factory=list)


def ensure_library_root() -> None:
    """At start: create the configured library root; a failure is only a warning (the
    Library page and the health check say it too)."""
    root = library_root()
    problem = library_root_problem(root) if root is not None else None
    if problem:
        log.warning("%s", problem)


def series_path(series: Series) -> Path:
    """The series' folder in the library root (which may not exist); ``UnsafePathError``
    when no root is configured or the folder would leave it."""
    root = library_root()
    if root is None:
        raise UnsafePathError("No library directory is configured.")
    return safe_join(root, series.folder)


def refresh_from_provider(series: Series, result: SyncResult) -> bool:
    """Reload metadata and episodes from the index; False (and the error kept) on failure."""
    provider = get_provider(series.site)
    try:
        info = provider.series(series.key)
        offered = [
            episode
            for season in info.season_numbers
            for episode in provider.episodes(series.key, season)
        ]
    except RemoteError as exc:
        _record_refresh_error(series, result, exc)
        return False

    with transaction.atomic():
        series.name = info.name or series.name
        series.year = info.year_start
        series.year_end = info.year_end
        series.description = info.description
        series.cover_url = info.cover_url or ""
        series.genres = list(info.genres)
        series.alternative_titles = list(info.alternative_titles)
        series.fsk = info.fsk
        series.imdb_id = info.imdb_id or ""
        series.provider_url = provider.relative(info.url)
        series.error = ""
        series.refreshed_at = timezone.now()
        series.save()
        _store_offered(series, provider, offered, seasons=None, result=result)
    return True


def refresh_season(series: Series, season: int) -> SyncResult:
    """Reload one season's episodes from the index, then the series' disk state."""
    result = SyncResult(key=series.key)
    try:
        provider = get_provider(series.site)
        offered = provider.episodes(series.key, season)
    except RemoteError as exc:
        _record_refresh_error(series, result, exc)
        return result
    with transaction.atomic():
        _store_offered(series, provider, offered, seasons={season}, result=result)
    sync_series(series, remote=False)
    return result


def _record_refresh_error(series: Series, result: SyncResult, exc: RemoteError) -> None:
    log.warning("refreshing %s from %s failed: %s", series.key, series.site, exc.message)
    result.error = exc.message
    series.state = SeriesState.ERROR
    series.error = exc.message
    series.save(update_fields=["state", "error", "updated_at"])


def _store_offered(
    series: Series, provider, offered, *, seasons: set[int] | None, result: SyncResult
):
    """Create and update the offered episodes; drop the ones of ``seasons`` (None: all)
    that the index no longer lists, unless they are on disk."""
    known = {
        (e.season, e.number): e
        for e in series.episodes.all()
        if seasons is None or e.season in seasons
    }
    seen = set()
    to_create, to_update = [], []
    for item in offered:
        code = (item.season, item.number)
        if code in seen:
            continue
        seen.add(code)
        mask = mask_of(item.languages) if item.available else 0
        episode = known.get(code)
        if episode is None:
            to_create.append(
                Episode(
                    series=series,
                    season=item.season,
                    number=item.number,
                    title=item.title_de,
                    title_en=item.title_en,
                    url=provider.relative(item.url),
                    language_mask=mask,
                )
            )
            continue
        episode.title, episode.title_en = item.title_de, item.title_en
        episode.url, episode.language_mask = provider.relative(item.url), mask
        to_update.append(episode)
    Episode.objects.bulk_create(to_create)
    Episode.objects.bulk_update(to_update, ["title", "title_en", "url", "language_mask"])
    gone = [e.id for code, e in known.items() if code not in seen and not e.is_downloaded]
    Episode.objects.filter(id__in=gone).delete()
    kept_offline = [e.id for code, e in known.items() if code not in seen and e.is_downloaded]
    Episode.objects.filter(id__in=kept_offline).update(language_mask=0)
    result.added, result.removed, result.episodes = len(to_create), len(gone), len(seen)


def apply_disk_scan(series: Series, scan: SeriesFolderScan | None, result: SyncResult) -> None:
    """Mark episodes on disk as downloaded, and the ones that vanished as not."""
    on_disk = {}
    if scan is not None:
        for found in scan.episodes:
            on_disk.setdefault((found.season, found.episode), found)
    with transaction.atomic():
        known = {(e.season, e.number): e for e in series.episodes.all()}
        changed, created = [], []
        renamed: list[tuple[Episode, str]] = []
        for code, found in on_disk.items():
            relative = f"{series.folder}/{found.path}"
            try:
                size = scan.file_size(found)
            except OSError:
                continue
            episode = known.get(code)
            if episode is None:
                created.append(
                    Episode(
                        series=series,
                        season=code[0],
                        number=code[1],
                        is_downloaded=True,
                        file_path=relative,
                        downloaded_language=found.language or "",
                        file_size=size,
                    )
                )
                continue
            language = found.language or (
                episode.downloaded_language if episode.file_path == relative else ""
            )
            state = (True, relative, language, size)
            current = (
                episode.is_downloaded,
                episode.file_path,
                episode.downloaded_language,
                episode.file_size,
            )
            if state != current:
                if episode.is_downloaded and episode.file_path and episode.file_path != relative:
                    renamed.append((episode, episode.file_path))
                (
                    episode.is_downloaded,
                    episode.file_path,
                    episode.downloaded_language,
                    episode.file_size,
                ) = state
                changed.append(episode)
        if scan is None or scan.complete:
            # Only a complete look at the folder may declare files gone.
            for code, episode in known.items():
                if code not in on_disk and episode.is_downloaded:
                    episode.is_downloaded = False
                    episode.file_path = ""
                    episode.downloaded_language = ""
                    episode.file_size = None
                    changed.append(episode)
        else:
            result.warnings.append(f"parts of {series.folder} could not be read: {scan.unreadable}")
        Episode.objects.bulk_create(created)
        Episode.objects.bulk_update(
            changed, ["is_downloaded", "file_path", "downloaded_language", "file_size"]
        )
    result.on_disk = len(on_disk)
    root = library_root()
    for episode, old_path in renamed:
        # A second copy under a new name is not a rename: the old file must be gone.
        if root is not None and not (root / old_path).exists():
            announce_rename(episode, old_path)


def announce_rename(episode: Episode, old_path: str) -> None:
    for receiver, outcome in signals.episode_renamed.send_robust(
        sender=Series, episode=episode, old_path=old_path, new_path=episode.file_path
    ):
        if isinstance(outcome, Exception):
            log.error("rename of %s: %s failed: %r", episode, receiver, outcome)


def sync_series(
    series: Series, *, remote: bool = True, scan: SeriesFolderScan | None = None
) -> SyncResult:
    """Refresh one series from the index (unless ``remote`` is False) and from its folder."""
    result = SyncResult(key=series.key)
    if remote:
        # A failure is recorded on the series; the disk state is still worth updating.
        refresh_from_provider(series, result)
    if scan is None:
        try:
            path = series_path(series)
            scan = scan_series_folder(path) if path.is_dir() else None
            if scan is None:
                result.warnings.append(f"the folder {series.folder} is missing")
        except UnsafePathError as exc:
            result.warnings.append(str(exc))
    apply_disk_scan(series, scan, result)
    if not result.error and (remote or series.state != SeriesState.ERROR):
        series.state = SeriesState.READY
        series.save(update_fields=["state", "updated_at"])
    return result
