"""Finding the NFOs that need work, and the background batch that fixes them.

``examine_library`` reads the tvshow.nfo (and, for a repair, the episode NFOs and
season posters) of every series without asking TMDB; ``repair_library`` queues
the incomplete ones for a batch (``run_batch``), which refreshes each series in
turn through ``nfo.service.create_or_refresh``.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from django_q.tasks import async_task

from aniworld.errors import AppError, ValidationFailed
from aniworld.library_root import library_root
from library.catalog import require_root, series_folder
from library.models import Series
from nfo import episodes
from nfo.health import tmdb_configured
from nfo.models import Condition, NfoState
from nfo.progress import NfoProgress, mark_queued
from nfo.service import (
    TmdbNotConfigured,
    check_file,
    create_or_refresh,
    inspect,
    require_tmdb,
)
from nfo.tmdb import TmdbAuthError, TmdbClient

log = logging.getLogger(__name__)


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


def start_repair_in_background() -> None:
    """Start-up step: queue the repair scan; does nothing without a TMDB key or a library."""
    root = library_root()
    if not tmdb_configured() or root is None or not root.is_dir():
        log.info("NFO repair skipped at start: no TMDB key or no library directory")
        return
    async_task("nfo.tasks.repair_library", task_name="nfo-repair")
