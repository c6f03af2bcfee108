"""Episode metadata: TMDB's seasons stored under our numbers, episode NFOs, season posters.

``refresh_episode_metadata`` fetches every season of a matched series from TMDB,
maps it onto our seasons (``nfo.season_mapping``) and stores it as
``EpisodeMetadata`` (air dates for the calendar, names, plots, stills). It runs
with the series' NFO refresh and after the daily rescan.

``write_episode_nfo`` writes ``<episode file>.nfo`` from what is stored, so it
never waits for TMDB: after a download the worker's signal writes it at once, and
queues a TMDB fetch only when nothing is stored for that episode yet.

The sidecar follows its episode: an upgrade that changed the file name removes
the old one, and the repair scan removes NFOs whose video is gone (deleted by
hand, or dropped by a scan) and rewrites missing or incomplete ones.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django_q.tasks import async_task

from aniworld.errors import AppError
from aniworld.file_modes import write_library_file
from aniworld.images import is_good_image_file
from aniworld.library_root import library_root
from library.models import Episode, Series
from library.naming import UnsafePathError, safe_join
from nfo.artwork import season_poster_name
from nfo.episode_nfo import (
    NFO_SUFFIX,
    EpisodeNfo,
    NfoParseError,
    is_episode_nfo,
    missing_tags,
    parse_episode_nfo,
    sidecar_path,
    to_xml,
)
from nfo.health import tmdb_configured
from nfo.models import EpisodeMetadata, NfoState
from nfo.season_mapping import SeasonMapping, map_seasons
from nfo.tmdb import TmdbAuthError, TmdbClient, TmdbNotFound, image_url
from nfo.tmdb_types import TvDetails, TvSeason
from nfo.tvshow import NFO_FILE_NAME

log = logging.getLogger(__name__)

STILL_SIZE = "original"


# TMDB → EpisodeMetadata


def our_episode_numbers(series: Series) -> dict[int, list[int]]:
    numbers: dict[int, list[int]] = {}
    for season, number in series.episodes.values_list("season", "number"):
        numbers.setdefault(season, []).append(number)
    return numbers


def fetch_seasons(client: TmdbClient, details: TvDetails) -> list[TvSeason]:
    """Every season TMDB lists for the series; one TMDB lists but cannot serve is skipped."""
    seasons = []
    for listed in details.seasons:
        try:
            seasons.append(client.season(details.id, listed.number))
        except TmdbNotFound:
            log.info("TMDB lists season %s of %s but has no page for it", listed.number, details.id)
    return seasons


def refresh_episode_metadata(
    series: Series, client: TmdbClient, details: TvDetails
) -> dict[int, str]:
    """Store TMDB's episodes of ``series`` under our numbers; return our season → poster path.

    Raises what the TMDB client raises (the caller records it); on success the
    stored rows are exactly the mapped episodes.
    """
    seasons = fetch_seasons(client, details)
    ours = our_episode_numbers(series)
    mapping = map_seasons(ours, seasons)
    store_mapping(series, mapping)
    posters = {season.number: season.poster_path for season in seasons}
    posters.update({s.number: s.poster_path for s in details.seasons if s.poster_path})
    log.info(
        "episode data of %s from TMDB %s: %d episodes (%s)",
        series.key,
        details.id,
        len(mapping.episodes),
        mapping.rule,
    )
    sources = mapping.season_sources()
    # Every season of ours gets an entry, "" when TMDB has no poster for it.
    return {
        season: posters.get(sources[season], "") if season in sources else ""
        for season in sorted(set(ours) | set(sources))
    }


@transaction.atomic
def store_mapping(series: Series, mapping: SeasonMapping) -> None:
    rows = {
        (m.season, m.episode): EpisodeMetadata(
            series=series,
            season=m.season,
            episode=m.episode,
            tmdb_id=m.source.id or None,
            tmdb_season=m.source.season_number,
            tmdb_episode=m.source.episode_number,
            name=m.source.name[:500],
            overview=m.source.overview,
            air_date=m.source.air_date,
            runtime=m.source.runtime,
            still_path=m.source.still_path[:300],
        )
        for m in mapping.episodes
    }
    EpisodeMetadata.objects.filter(series=series).delete()
    EpisodeMetadata.objects.bulk_create(rows.values())


# Episode NFOs


def episode_file(episode: Episode) -> Path | None:
    """The absolute path of the episode's video, None when it has none (or it is unsafe)."""
    root = library_root()
    if root is None or not episode.is_downloaded or not episode.file_path:
        return None
    try:
        return safe_join(root, episode.file_path)
    except UnsafePathError:
        return None


def episode_nfo_of(
    episode: Episode, series: Series, metadata: EpisodeMetadata | None
) -> EpisodeNfo:
    """The NFO of an episode from the index's titles and TMDB's stored data."""
    # The index's titles first, as in the file name; TMDB's German name is often a
    # placeholder ("Episode 3") when nobody translated it.
    title = episode.title or episode.title_en or (metadata.name if metadata else "")
    title = title or episode.code
    return EpisodeNfo(
        title=title,
        originaltitle=episode.title_en or title,
        showtitle=series.name,
        season=episode.season,
        episode=episode.number,
        aired=metadata.air_date.isoformat() if metadata and metadata.air_date else "",
        plot=metadata.overview if metadata else "",
        runtime=metadata.runtime if metadata else None,
        tmdb_id=str(metadata.tmdb_id) if metadata and metadata.tmdb_id else "",
        thumb=image_url(settings.TMDB_IMAGE_URL, metadata.still_path, STILL_SIZE)
        if metadata
        else "",
    )


def metadata_of(episode: Episode) -> EpisodeMetadata | None:
    return EpisodeMetadata.objects.filter(
        series_id=episode.series_id, season=episode.season, episode=episode.number
    ).first()


def write_episode_nfo(episode: Episode, metadata: EpisodeMetadata | None = None) -> Path | None:
    """Write the NFO beside the episode's file (only when its content changes); its path."""
    video = episode_file(episode)
    if video is None or not video.is_file():
        return None
    metadata = metadata if metadata is not None else metadata_of(episode)
    content = to_xml(episode_nfo_of(episode, episode.series, metadata))
    target = sidecar_path(video)
    try:
        if target.read_bytes() == content:
            return target
    except OSError:
        pass
    write_library_file(target, content)
    return target


def write_episode_nfos(series: Series) -> int:
    """(Re)write the NFO of every downloaded episode of ``series``; how many are in place."""
    stored = {(m.season, m.episode): m for m in EpisodeMetadata.objects.filter(series=series)}
    written = 0
    for episode in series.episodes.filter(is_downloaded=True).select_related("series"):
        try:
            if write_episode_nfo(episode, stored.get((episode.season, episode.number))):
                written += 1
        except OSError as exc:
            log.warning("could not write the NFO of %s: %s", episode, exc)
    return written


def remove_sidecar(root: Path, relative_video: str) -> None:
    """Remove the NFO of a video that is gone (only when it is an episode NFO)."""
    try:
        nfo = sidecar_path(safe_join(root, relative_video))
    except UnsafePathError:
        return
    if is_episode_nfo(nfo):
        nfo.unlink(missing_ok=True)
        log.info("removed %s with its episode", nfo)


# After a download


def on_episode_placed(sender, *, episode: Episode, path: Path, replaced: str = "", **kwargs):
    """``downloads.signals.episode_placed``: the NFO beside the new file, the old one gone."""
    # The worker recorded the file with an UPDATE: read the episode as it is now
    # (a copy, so other receivers get the object the worker sent).
    episode = Episode.objects.select_related("series").get(id=episode.id)
    root = library_root()
    if replaced and root is not None:
        remove_sidecar(root, replaced)
    metadata = metadata_of(episode)
    write_episode_nfo(episode, metadata)
    if metadata is None and tmdb_configured():
        async_task(
            "nfo.tasks.complete_episode_nfo", episode.id, task_name=f"episode-nfo-{episode.id}"
        )


# Checking and repairing


@dataclass
class EpisodeFilesCheck:
    """What is wrong with a series' episode NFOs and season posters on disk."""

    checked: int = 0
    missing_nfo: list[int] = field(default_factory=list)  # episode ids
    incomplete_nfo: list[int] = field(default_factory=list)
    orphan_nfos: list[Path] = field(default_factory=list)
    missing_posters: list[str] = field(default_factory=list)
    without_metadata: int = 0  # downloaded episodes TMDB gave us nothing for (yet)

    @property
    def to_rewrite(self) -> list[int]:
        return self.missing_nfo + self.incomplete_nfo

    @property
    def needs_tmdb(self) -> bool:
        return bool(self.missing_posters) or (
            self.checked > 0 and self.without_metadata == self.checked
        )

    def as_dict(self) -> dict:
        return {
            "checked": self.checked,
            "missing_nfo": len(self.missing_nfo),
            "incomplete_nfo": len(self.incomplete_nfo),
            "orphan_nfos": [str(path) for path in self.orphan_nfos],
            "missing_posters": list(self.missing_posters),
        }


def check_episode_files(series: Series, folder: Path) -> EpisodeFilesCheck:
    """Read the episode NFOs and season posters of a series folder (no TMDB call).

    An NFO counts as incomplete only when it lacks what we could now write (TMDB's
    id when it is stored), so a repair does not rewrite a file for data that does
    not exist. A season poster is missing when a season with files has none and
    the last artwork run did not find TMDB without one.
    """
    check = EpisodeFilesCheck()
    stored = set(EpisodeMetadata.objects.filter(series=series).values_list("season", "episode"))
    state = NfoState.objects.filter(series=series).first()
    unavailable = set((state.artwork or {}).get("unavailable", [])) if state else set()
    seasons_on_disk: set[int] = set()
    for episode in series.episodes.filter(is_downloaded=True):
        video = episode_file(episode)
        if video is None or not video.is_file():
            continue
        seasons_on_disk.add(episode.season)
        check.checked += 1
        has_metadata = (episode.season, episode.number) in stored
        check.without_metadata += not has_metadata
        try:
            nfo = parse_episode_nfo(sidecar_path(video).read_bytes())
        except OSError:
            check.missing_nfo.append(episode.id)
            continue
        except NfoParseError:
            check.incomplete_nfo.append(episode.id)
            continue
        gaps = set(missing_tags(nfo))
        if not has_metadata:
            gaps.discard("uniqueid:tmdb")
        if gaps:
            check.incomplete_nfo.append(episode.id)
    check.orphan_nfos = _orphan_nfos(folder)
    if tmdb_configured():
        check.missing_posters = [
            name
            for name in sorted(season_poster_name(season) for season in seasons_on_disk)
            if name not in unavailable and not is_good_image_file(folder / name)
        ]
    return check


def _orphan_nfos(folder: Path) -> list[Path]:
    """Episode NFOs in ``folder`` (at any depth) with no file of the same name beside them.

    Any file counts, not only the videos we know: a video in a format the scanner
    does not read must not lose its NFO.
    """
    orphans = []
    for directory, _, names in os.walk(folder):
        stems = {Path(name).stem for name in names if not name.endswith(NFO_SUFFIX)}
        for name in names:
            path = Path(directory) / name
            if (
                path.suffix == NFO_SUFFIX
                and name != NFO_FILE_NAME
                and not name.startswith(".")
                and path.stem not in stems
                and is_episode_nfo(path)
            ):
                orphans.append(path)
    return sorted(orphans)


def repair_episode_files(series: Series, check: EpisodeFilesCheck) -> int:
    """Rewrite the missing and incomplete NFOs and remove the orphans; how many files it fixed."""
    changed = 0
    for orphan in check.orphan_nfos:
        orphan.unlink(missing_ok=True)
        log.info("removed %s: its episode is gone", orphan)
        changed += 1
    for episode in Episode.objects.filter(id__in=check.to_rewrite).select_related("series"):
        try:
            changed += write_episode_nfo(episode) is not None
        except OSError as exc:
            log.warning("could not write the NFO of %s: %s", episode, exc)
    return changed


# The daily refresh of air dates


def refresh_matched_series(client: TmdbClient | None = None) -> dict:
    """Refresh the stored episodes (air dates) of every series matched to TMDB."""
    client = client or TmdbClient()
    refreshed, failed = [], {}
    for series in Series.objects.exclude(tmdb_id=None).order_by("name"):
        try:
            refresh_episode_metadata(series, client, client.details(series.tmdb_id))
            write_episode_nfos(series)
            refreshed.append(series.key)
        except TmdbAuthError as exc:
            # Every further series would fail the same way.
            failed[series.key] = exc.message
            break
        except AppError as exc:  # one series must not stop the others
            failed[series.key] = exc.message
        except OSError as exc:
            failed[series.key] = str(exc)
    for key, error in failed.items():
        log.warning("refreshing the episodes of %s failed: %s", key, error)
    return {"refreshed": refreshed, "failed": failed}
