"""tvshow.nfo and artwork for the series of the library.

``create_or_refresh`` matches a series to TMDB, writes its tvshow.nfo and
downloads its artwork; ``inspect`` reads the file on disk without asking TMDB;
``repair_library`` inspects every series and queues the incomplete ones for a
background batch (``run_batch``). Every outcome, good or bad, is recorded in the
series' ``NfoState``, so pages and the API show it without touching TMDB.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.utils import timezone
from django_q.tasks import async_task

from aniworld.errors import AppError, Conflict, ValidationFailed
from aniworld.library_root import library_root
from library.catalog import require_root, series_folder
from library.models import Series
from nfo import episodes
from nfo.artwork import download_artwork
from nfo.health import tmdb_configured, watching_tmdb
from nfo.matching import Match, match_series, require_found
from nfo.models import Condition, MatchStatus, NfoState
from nfo.progress import NfoProgress, mark_queued
from nfo.tmdb import TmdbAuthError, TmdbClient, TmdbNotFound, TvDetails
from nfo.tvshow import (
    NFO_FILE_NAME,
    NfoParseError,
    TvShowNfo,
    from_tmdb,
    missing_tags,
    parse_nfo,
    write_nfo,
)

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


# Repair


class RepairAction(StrEnum):
    QUEUE = "queue"  # refreshing from TMDB fixes it
    NEEDS_MATCH = "needs_match"  # the owner has to choose the TMDB series first
    NOTHING_MORE = "tmdb_has_no_more"  # TMDB had no data for the missing tags


def repair_action(state: NfoState) -> RepairAction | None:
    """What a repair does with this NFO; None when it is complete."""
    if state.complete:
        return None
    if state.needs_owner:
        return RepairAction.NEEDS_MATCH
    if (
        state.condition == Condition.INCOMPLETE
        and state.written_at is not None
        and set(state.missing_tags) <= set(state.tmdb_gaps)
    ):
        return RepairAction.NOTHING_MORE
    return RepairAction.QUEUE


@dataclass
class RepairItem:
    key: str
    name: str
    condition: str
    missing_tags: list[str]
    parse_error: str
    action: str
    match_status: str
    last_error: str

    @classmethod
    def of(cls, series: Series, state: NfoState, action: RepairAction) -> RepairItem:
        return cls(
            key=series.key,
            name=series.name,
            condition=str(state.condition),
            missing_tags=list(state.missing_tags),
            parse_error=state.parse_error,
            action=str(action),
            match_status=state.match_status,
            last_error=state.last_error,
        )


@dataclass
class RepairReport:
    checked: int = 0
    incomplete: list[RepairItem] = field(default_factory=list)
    # Series key → what is wrong with its episode NFOs and season posters.
    episode_files: dict[str, episodes.EpisodeFilesCheck] = field(default_factory=dict)
    # Series whose episode files need TMDB's data (and whose match the owner need not fix).
    episodes_need_tmdb: list[str] = field(default_factory=list)

    @property
    def queued(self) -> list[str]:
        keys = [item.key for item in self.incomplete if item.action == RepairAction.QUEUE]
        return list(dict.fromkeys(keys + self.episodes_need_tmdb))

    def as_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "incomplete": [asdict(item) for item in self.incomplete],
            "queued": self.queued,
            "episode_files": {key: check.as_dict() for key, check in self.episode_files.items()},
        }


def _examine_episode_files(series: Series, state: NfoState, report: RepairReport) -> None:
    files = episodes.check_episode_files(series, series_folder(series))
    if files.to_rewrite or files.orphan_nfos or files.missing_posters:
        report.episode_files[series.key] = files
    if files.needs_tmdb and not state.needs_owner:
        report.episodes_need_tmdb.append(series.key)


def examine_library(
    *, save: bool = True, reporter: NfoProgress | None = None, episode_files: bool = False
) -> RepairReport:
    """Read the tvshow.nfo of every series whose folder exists (no TMDB call); with
    ``episode_files``, their episode NFOs and season posters too."""
    require_root()
    everything = list(Series.objects.order_by("name", "id"))
    report = RepairReport()
    if reporter:
        reporter.started(total=len(everything))
    for done, series in enumerate(everything, start=1):
        check = check_file(series)
        if check.folder_exists:
            report.checked += 1
            state = inspect(series, save=save, check=check)
            action = repair_action(state)
            if action is not None:
                report.incomplete.append(RepairItem.of(series, state, action))
            if episode_files:
                _examine_episode_files(series, state, report)
        if reporter:
            reporter.progress(total=len(everything), done=done, current=series.key)
    if reporter:
        reporter.completed(total=len(everything), done=len(everything), **report.as_dict())
    return report


def repair_library() -> RepairReport:
    """Find incomplete, unreadable and missing NFO files and queue a batch that fixes them.

    Episode NFOs are rewritten at once from the stored TMDB data and the ones whose
    video is gone are removed; a series whose episodes have no TMDB data yet, or
    whose season posters are missing, joins the batch.
    """
    require_tmdb()
    report = examine_library(reporter=NfoProgress("repair"), episode_files=True)
    fix_episode_files(report)
    if report.queued:
        queue_batch(report.queued)
    log.info(
        "NFO repair: %d series checked, %d incomplete, %d queued",
        report.checked,
        len(report.incomplete),
        len(report.queued),
    )
    return report


def fix_episode_files(report: RepairReport) -> int:
    """Rewrite the episode NFOs the report found lacking, remove orphans; files changed."""
    by_key = {s.key: s for s in Series.objects.filter(key__in=list(report.episode_files))}
    return sum(
        episodes.repair_episode_files(by_key[key], files)
        for key, files in report.episode_files.items()
        if key in by_key
    )


# Batches


def batch_keys(keys: list[str] | None, force: bool) -> list[str]:
    """The series a batch covers: the given keys (all known), else every series lacking
    a complete NFO that TMDB can improve (with ``force``: every series)."""
    if keys:
        keys = list(dict.fromkeys(keys))
        known = set(Series.objects.filter(key__in=keys).values_list("key", flat=True))
        unknown = [key for key in keys if key not in known]
        if unknown:
            raise ValidationFailed(
                f"Not in the library: {', '.join(unknown)}.",
                details={"keys": [f"unknown series: {key}" for key in unknown]},
            )
        return keys
    if force:
        return list(Series.objects.order_by("name", "id").values_list("key", flat=True))
    report = examine_library()
    return [item.key for item in report.incomplete if item.action != RepairAction.NOTHING_MORE]


def start_batch(keys: list[str] | None = None, force: bool = False) -> list[str]:
    """Queue a batch (checked first: TMDB configured, keys known); return its keys."""
    require_tmdb()
    keys = batch_keys(keys, force)
    if keys:
        queue_batch(keys, force)
    return keys


def queue_batch(keys: list[str], force: bool = False) -> None:
    mark_queued("batch", len(keys))
    async_task("nfo.tasks.run_batch", list(keys), force, task_name="nfo-batch")


def run_batch(keys: list[str], force: bool = False) -> dict[str, Any]:
    """Create or refresh the NFO of each series in turn, reporting ``nfo_progress``.

    One series failing does not stop the others; a missing or rejected TMDB key
    does, since every further series would fail the same way.
    """
    reporter = NfoProgress("batch")
    total = len(keys)
    written: list[str] = []
    failed: list[dict[str, str]] = []
    reporter.started(total=total, force=force)
    client = TmdbClient()
    by_key = {series.key: series for series in Series.objects.filter(key__in=keys)}
    for done, key in enumerate(keys, start=1):
        series = by_key.get(key)
        try:
            if series is None:
                raise ValidationFailed(f"{key!r} is no longer in the library.")
            create_or_refresh(series, force=force, client=client)
            written.append(key)
        except (TmdbNotConfigured, TmdbAuthError) as exc:
            failed.append({"key": key, "code": exc.code, "error": exc.message})
            reporter.failed(
                total=total, done=done, written=written, failed=failed, error=exc.message
            )
            return {"written": written, "failed": failed, "aborted": True}
        except AppError as exc:
            failed.append({"key": key, "code": exc.code, "error": exc.message})
        reporter.progress(total=total, done=done, current=key)
    reporter.completed(total=total, done=total, written=written, failed=failed)
    return {"written": written, "failed": failed, "aborted": False}


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


def start_repair_in_background() -> None:
    """Start-up step: queue the repair scan; does nothing without a TMDB key or a library."""
    root = library_root()
    if not tmdb_configured() or root is None or not root.is_dir():
        log.info("NFO repair skipped at start: no TMDB key or no library directory")
        return
    async_task("nfo.tasks.repair_library", task_name="nfo-repair")
