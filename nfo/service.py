"""tvshow.nfo and artwork for the series of the library.

``create_or_refresh`` matches a series to TMDB, writes its tvshow.nfo and
downloads its artwork; ``inspect`` reads the file on disk without asking TMDB.
Every outcome, good or bad, is recorded in the series' ``NfoState``, so pages and
the API show it without touching TMDB. ``nfo.repair`` runs these over the whole
library.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from pathlib import Path

from django.utils import timezone
from django_q.tasks import async_task

from aniworld.errors import AppError, Conflict
from aniworld.library_root import library_root
from library.catalog import series_folder
from library.models import Episode, Series
from nfo import episodes
from nfo.artwork import download_artwork
from nfo.health import tmdb_configured, watching_tmdb
from nfo.matching import Match, match_series, require_found
from nfo.models import MatchStatus, NfoState
from nfo.tmdb import TmdbClient, TmdbNotFound
from nfo.tmdb_types import TvDetails
from nfo.tvshow import NFO_FILE_NAME, NfoParseError, TvShowNfo
from nfo.tvshow_mapping import from_tmdb
from nfo.tvshow_xml import missing_tags, parse_nfo, write_nfo

log = logging.getLogger(__name__)


class TmdbNotConfigured(Conflict):
    code = "TMDB_NOT_CONFIGURED"

    def __init__(self):
        super().__init__(
            "No TMDB API key is configured. Add one in Settings (or set TMDB_API_KEY) "
            "to write NFO files and artwork."
        )


class SeriesFolderMissing(Conflict):
    code = "SERIES_FOLDER_MISSING"


class NfoWriteFailed(AppError):
    code = "NFO_WRITE_FAILED"


def require_tmdb() -> None:
    if not tmdb_configured():
        raise TmdbNotConfigured()


def nfo_path(series: Series) -> Path:
    return series_folder(series) / NFO_FILE_NAME


def state_of(series: Series) -> NfoState:
    return NfoState.objects.get_or_create(series=series)[0]


# Reading what is on disk


@dataclass(frozen=True)
class FileCheck:
    folder_exists: bool
    exists: bool
    missing_tags: tuple[str, ...] = ()
    parse_error: str = ""
    tmdb_id: int | None = None

    @property
    def complete(self) -> bool:
        return self.exists and not self.parse_error and not self.missing_tags


def check_file(series: Series) -> FileCheck:
    """What the series' tvshow.nfo is like; reads the disk only."""
    folder = series_folder(series)
    if not folder.is_dir():
        return FileCheck(folder_exists=False, exists=False)
    try:
        data = (folder / NFO_FILE_NAME).read_bytes()
    except FileNotFoundError:
        return FileCheck(folder_exists=True, exists=False)
    except OSError as exc:
        return FileCheck(True, True, parse_error=f"the NFO file cannot be read: {exc}")
    try:
        nfo = parse_nfo(data)
    except NfoParseError as exc:
        return FileCheck(True, True, parse_error=str(exc))
    tmdb_id = nfo.uniqueid("tmdb")
    return FileCheck(
        True, True, tuple(missing_tags(nfo)), tmdb_id=int(tmdb_id) if tmdb_id.isdigit() else None
    )


def _apply_check(state: NfoState, check: FileCheck) -> bool:
    """Copy the file's condition into ``state``; True when something changed."""
    before = (state.exists, state.complete, state.missing_tags, state.parse_error, state.tmdb_id)
    state.exists = check.exists
    state.complete = check.complete
    state.missing_tags = list(check.missing_tags)
    state.parse_error = check.parse_error
    if state.tmdb_id is None and check.tmdb_id:
        state.tmdb_id = check.tmdb_id  # a third-party file's id, shown until we match
    after = (state.exists, state.complete, state.missing_tags, state.parse_error, state.tmdb_id)
    return before != after


def inspect(series: Series, *, save: bool = True, check: FileCheck | None = None) -> NfoState:
    """Read the series' tvshow.nfo and record exists/complete/missing tags (no TMDB call)."""
    state = NfoState.objects.filter(series=series).first() or NfoState(series=series)
    changed = _apply_check(state, check or check_file(series))
    if save and (changed or state.pk is None):
        state.save()
    return state


# Writing


def set_manual_tmdb_id(series: Series, tmdb_id: int) -> NfoState:
    """The owner's choice of TMDB series; it wins over every automatic match."""
    state = state_of(series)
    state.tmdb_id = tmdb_id
    state.match_status = MatchStatus.MANUAL
    state.match_message = "TMDB id set by hand."
    state.match_candidates = []
    state.save()
    return state


def create_or_refresh(
    series: Series, force: bool = False, *, client: TmdbClient | None = None
) -> NfoState:
    """Match, fetch, write tvshow.nfo and download artwork; return the recorded state.

    ``force`` replaces artwork that is already there. The ``dateadded`` of an
    existing file is kept. Errors are recorded in the state, then raised.
    """
    require_tmdb()
    folder = series_folder(series)
    if not folder.is_dir():
        raise SeriesFolderMissing(
            f"The folder {series.folder!r} of {series.name!r} is missing from the library.",
            details={"key": series.key, "folder": series.folder},
        )
    client = client or TmdbClient()
    state = state_of(series)
    existing = _read_nfo(folder / NFO_FILE_NAME)
    try:
        with watching_tmdb():
            match = match_series(
                series, client, state, existing.uniqueid("tmdb") if existing else ""
            )
            _remember_match(state, match)
            details = _details(client, state, require_found(series, match))
    except AppError as exc:
        _record_failure(state, exc)
        raise

    nfo = from_tmdb(details, client.image_base, added=_added_at(series))
    if existing is not None and existing.dateadded:
        nfo.dateadded = existing.dateadded
    try:
        write_nfo(folder, nfo)
    except OSError as exc:
        error = NfoWriteFailed(f"Could not write {folder / NFO_FILE_NAME}: {exc}")
        _record_failure(state, error)
        raise error from exc
    season_posters = _refresh_episodes(series, client, details)
    report = download_artwork(details, folder, force=force, season_posters=season_posters)
    if season_posters is not None:
        episodes.write_episode_nfos(series)
    gaps = missing_tags(nfo)
    state.exists, state.complete, state.parse_error = True, not gaps, ""
    state.missing_tags = state.tmdb_gaps = gaps
    state.tmdb_id = details.id
    state.artwork = asdict(report)
    state.last_error = state.error_code = ""
    state.written_at = timezone.now()
    state.save()
    if series.tmdb_id != details.id:
        series.tmdb_id = details.id
        series.save(update_fields=["tmdb_id", "updated_at"])
    log.info(
        "wrote tvshow.nfo of %s (TMDB %s): artwork written %s, failed %s",
        series.key,
        details.id,
        report.written,
        list(report.failed),
    )
    return state


def _refresh_episodes(
    series: Series, client: TmdbClient, details: TvDetails
) -> dict[int, str] | None:
    """TMDB's episodes under our numbers; None (logged) when TMDB failed for them: the
    tvshow.nfo just written stays good, and the next refresh tries again."""
    try:
        return episodes.refresh_episode_metadata(series, client, details)
    except AppError as exc:
        log.warning("the episodes of %s were not refreshed: %s", series.key, exc.message)
        return None


def _read_nfo(path: Path) -> TvShowNfo | None:
    try:
        return parse_nfo(path.read_bytes())
    except (OSError, NfoParseError):
        return None


def _added_at(series: Series):
    """When the series joined the library, as the local time Kodi writes in dateadded."""
    return timezone.localtime(series.created_at).replace(tzinfo=None)


def _remember_match(state: NfoState, match: Match) -> None:
    state.match_status = match.status
    state.match_message = match.message
    state.match_candidates = match.candidate_dicts()
    if match.found:
        state.tmdb_id = match.tmdb_id
    state.save()


def _details(client: TmdbClient, state: NfoState, tmdb_id: int) -> TvDetails:
    try:
        return client.details(tmdb_id)
    except TmdbNotFound:
        # The id is wrong (mistyped, or TMDB merged the entry): forget it, so the
        # next refresh matches afresh instead of failing the same way.
        state.match_status = MatchStatus.ERROR
        state.match_message = f"TMDB has no series with id {tmdb_id}."
        state.tmdb_id = None
        Series.objects.filter(id=state.series_id, tmdb_id=tmdb_id).update(tmdb_id=None)
        raise


def _record_failure(state: NfoState, exc: AppError) -> None:
    state.last_error = exc.message
    state.error_code = exc.code
    state.save()
    log.warning("NFO of series %s failed: %s", state.series_id, exc.message)


# After a download


def complete_episode_nfo(episode: Episode, client: TmdbClient | None = None) -> None:
    """Fetch what TMDB knows of the episode's series (unless stored meanwhile), then write
    its NFO (``nfo.tasks.complete_episode_nfo``, queued by ``episodes.on_episode_placed``).

    A series not matched to TMDB yet gets its whole tvshow.nfo refresh, which
    stores the episodes and writes their NFOs.
    """
    if episodes.metadata_of(episode) is None:
        state = NfoState.objects.filter(series=episode.series).first()
        tmdb_id = episode.series.tmdb_id or (state.tmdb_id if state else None)
        if tmdb_id is None:
            create_or_refresh(episode.series, client=client)
            return
        client = client or TmdbClient()
        episodes.refresh_episode_metadata(episode.series, client, client.details(tmdb_id))
    episodes.write_episode_nfo(episode)


# Background hooks


def on_series_loaded(sender, *, series: Series, **kwargs) -> None:
    """After a series was added and its episodes loaded (``library.signals.series_loaded``):
    write its NFO in the background unless a complete one exists."""
    if not tmdb_configured() or library_root() is None:
        return
    try:
        check = check_file(series)
    except AppError:
        return
    if check.folder_exists and not check.complete:
        async_task("nfo.tasks.create_nfo", series.id, task_name=f"nfo-{series.id}")
