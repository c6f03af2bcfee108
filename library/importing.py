"""Bringing an existing library: match every unmatched folder, attach the confident ones.

``unmatched_folders`` lists the folders without a ``data`` file with their best
matches (``library.matching``); matches are kept in the cache per folder (and its
tvshow.nfo), so the Library page and the API answer at once after an import run
has looked them up. ``run_import`` is that run: it goes through every unmatched
folder with one ``MatchSession`` (each search asked once), reports progress like a
scan (a ``ScanRun`` of kind "import", events in the ``scan`` room) and, when asked,
attaches every confident match. A dry run looks everything up and changes nothing.

Attaching here also reads the folder's episodes at once, and for files whose
names tell no language, the language of their audio and subtitle streams.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django_q.tasks import async_task

from aniworld.errors import AppError, RemoteError
from aniworld.progress import ProgressReporter
from library import catalog, scanning
from library.disk import SeriesFolderScan, scan_library, scan_series_folder
from library.matching import MatchSession, match_folder
from library.media_language import folder_language
from library.models import ScanKind, ScanRun, Series
from library.providers import get_provider
from library.sync import SyncResult, apply_disk_scan

log = logging.getLogger(__name__)

MATCHES_CACHE_SECONDS = 7 * 24 * 3600
CACHE_VERSION = "2"


class Outcome(StrEnum):
    """What an import did with a folder (the summary table's last column)."""

    ATTACHED = "attached"
    WOULD_ATTACH = "would attach"
    CONFIDENT = "confident"
    CHOOSE = "choose a match"
    IN_LIBRARY = "series already in the library"
    NO_MATCH = "no match"
    FAILED = "failed"


@dataclass
class FolderRow:
    folder: str
    episodes: int
    match: dict[str, Any] | None
    outcome: str
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "folder": self.folder,
            "episodes": self.episodes,
            "match": self.match,
            "outcome": self.outcome,
            "message": self.message,
        }


@dataclass
class ImportSummary:
    rows: list[FolderRow] = field(default_factory=list)
    requests: int = 0

    def count(self, *outcomes: str) -> int:
        return sum(row.outcome in outcomes for row in self.rows)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": ScanKind.IMPORT,
            "folders": len(self.rows),
            "attached": self.count(Outcome.ATTACHED),
            "confident": self.count(Outcome.ATTACHED, Outcome.WOULD_ATTACH, Outcome.CONFIDENT),
            "to_choose": self.count(Outcome.CHOOSE),
            "in_library": self.count(Outcome.IN_LIBRARY),
            "without_match": self.count(Outcome.NO_MATCH),
            "failed": self.count(Outcome.FAILED),
            "requests": self.requests,
            "rows": [row.as_dict() for row in self.rows],
        }


def _cache_key(path: Path) -> str:
    """Per folder name and tvshow.nfo: a new NFO with ids deserves a new look."""
    try:
        nfo = (path / "tvshow.nfo").stat()
        signature = f"{nfo.st_mtime_ns}:{nfo.st_size}"
    except OSError:
        signature = "-"
    digest = hashlib.sha256(f"{path.name}\0{signature}".encode()).hexdigest()
    return f"library:folder-matches:{CACHE_VERSION}:{digest}"


def cached_matches(path: Path) -> list[dict[str, Any]] | None:
    return cache.get(_cache_key(path))


def look_up_matches(path: Path, session: MatchSession) -> list[dict[str, Any]]:
    """Match a folder now and remember the result, unless a site failed to answer:
    the matches of a site that is down for an hour must not be missing for a week."""
    failures = session.failures
    matches = [match.as_dict() for match in match_folder(path, session)]
    if session.failures == failures:
        cache.set(_cache_key(path), matches, MATCHES_CACHE_SECONDS)
    return matches


def with_library_state(matches: list[dict[str, Any]], taken: set[str]) -> list[dict[str, Any]]:
    """Matches marked ``in_library``: a series the library has already (or that this
    run gave another folder) is no confident match, but a sign of a duplicate folder."""
    return [
        {**match, "in_library": match["key"] in taken, "confident": match["confident"]}
        if match["key"] not in taken
        else {**match, "in_library": True, "confident": False}
        for match in matches
    ]


def library_keys() -> set[str]:
    return set(Series.objects.values_list("key", flat=True))


def folder_entry(scan: SeriesFolderScan, matches: list[dict[str, Any]] | None) -> dict[str, Any]:
    """One unmatched folder as the API shows it: its matches, and its best one's confidence."""
    best = matches[0] if matches else None
    return {
        "folder": scan.folder,
        "episodes": len(scan.episodes),
        "looked_up": matches is not None,
        "matches": matches or [],
        "confidence": best["confidence"] if best else None,
        "reason": best["reason"] if best else "",
        "confident": bool(best and best["confident"]),
    }


def unmatched_scans() -> list[SeriesFolderScan]:
    root = catalog.require_root()
    library = scan_library(root, cache=scanning.disk_cache)
    return [folder for folder in library.series if folder.ref is None]


def unmatched_folders(lookup_limit: int | None = None) -> list[dict[str, Any]]:
    """Folders without a ``data`` file and their best matches, most likely first.

    Folders whose matches are not cached are looked up now, at most
    ``lookup_limit`` of them (all when None); the rest have ``looked_up`` false.
    """
    session = MatchSession()
    taken = library_keys()
    entries, looked_up = [], 0
    for scan in unmatched_scans():
        path = Path(scan.path)
        matches = cached_matches(path)
        if matches is None and (lookup_limit is None or looked_up < lookup_limit):
            matches = look_up_matches(path, session)
            looked_up += 1
        if matches is not None:
            matches = with_library_state(matches, taken)
        entries.append(folder_entry(scan, matches))
    return entries


def attach_match(folder: str, site: str, key: str) -> Series:
    """Attach a folder and read its episodes now, with languages from the files' streams.

    The slow parts (the index's series page, reading the files' streams) come first,
    so the transaction, which holds SQLite's write lock, stays short.
    """
    get_provider(site)  # an unknown site is a 422 before anything is read
    scan = scan_series_folder(catalog.library_folder(folder))
    untold = [episode for episode in scan.episodes if episode.language is None]
    language = folder_language(scan.file_path(episode) for episode in untold)
    info = catalog.fetch_series_info(site, key)
    with transaction.atomic():  # the series' refresh is queued once all of this is saved
        series = catalog.attach_folder(folder, site, key, info=info)
        apply_disk_scan(series, scan, SyncResult(key=series.key))
        if language:
            paths = [f"{series.folder}/{episode.path}" for episode in untold]
            series.episodes.filter(file_path__in=paths, downloaded_language="").update(
                downloaded_language=language
            )
    log.info("attached %s to %s (%s)", folder, key, site)
    return series


def attach_confident(*, dry_run: bool = False) -> list[dict[str, Any]]:
    """Attach every unmatched folder whose best match is confident; what happened to each."""
    session = MatchSession()
    taken = library_keys()
    results = []
    for scan in unmatched_scans():
        path = Path(scan.path)
        matches = cached_matches(path)
        if matches is None:
            matches = look_up_matches(path, session)
        matches = with_library_state(matches, taken)
        best = matches[0] if matches else None
        if best is None or not best["confident"]:
            continue
        row = _attach_row(path, len(scan.episodes), best, dry_run=dry_run)
        taken.add(best["key"])
        results.append({**row.as_dict(), "key": best["key"], "site": best["site"]})
    return results


def _attach_row(path: Path, episodes: int, best: dict[str, Any], *, dry_run: bool) -> FolderRow:
    if dry_run:
        return FolderRow(path.name, episodes, best, Outcome.WOULD_ATTACH)
    try:
        attach_match(path.name, best["site"], best["key"])
    except AppError as exc:
        return FolderRow(path.name, episodes, best, Outcome.FAILED, exc.message)
    return FolderRow(path.name, episodes, best, Outcome.ATTACHED)


def start_import(*, attach: bool) -> ScanRun:
    """Record an import run and hand it to the worker; 409 while a scan or import runs.

    It uses the matches already looked up (the page shows them), and looks up the rest.
    """
    run = scanning.create_scan_run(kind=ScanKind.IMPORT)
    transaction.on_commit(lambda: _queue(run.id, attach))
    return run


def _queue(run_id: int, attach: bool) -> None:
    async_task("library.tasks.run_import", run_id, attach, task_name=f"import-{run_id}")


def run_import(
    run: ScanRun | None,
    *,
    attach: bool,
    dry_run: bool = False,
    use_cache: bool = False,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> ImportSummary:
    """Match every unmatched folder, attaching the confident ones when ``attach``.

    With a ``run`` its progress and summary are recorded and published like a
    scan's; a dry run needs none and changes nothing but what it prints.
    ``use_cache``: take the matches looked up before where there are any.
    """
    reporter = (
        ProgressReporter("scan", "scan", persist=scanning.persist_progress(run)) if run else None
    )
    summary = ImportSummary()
    try:
        folders = unmatched_scans()
    except (OSError, AppError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        if reporter is None:
            raise
        reporter.completed(status="failed", scan_id=run.id, errors=[message])
        return summary
    total = len(folders)
    if reporter:
        reporter.started(scan_id=run.id, kind=ScanKind.IMPORT, total=total, series_key="")
    session = MatchSession()
    taken = library_keys()
    errors = []
    try:
        for done, scan in enumerate(folders, start=1):
            row = _import_folder(
                Path(scan.path),
                len(scan.episodes),
                session,
                taken,
                attach=attach,
                dry_run=dry_run,
                use_cache=use_cache,
            )
            if row.outcome == Outcome.FAILED:
                errors.append(f"{row.folder}: {row.message}")
            summary.rows.append(row)
            if on_progress:
                on_progress(done, total, scan.folder)
            if reporter:
                reporter.progress(
                    scan_id=run.id,
                    kind=ScanKind.IMPORT,
                    total=total,
                    done=done,
                    current=scan.folder,
                )
    except Exception as exc:
        # Not left "running" until the next restart: the page would wait for it.
        if reporter:
            reporter.completed(
                status="failed",
                scan_id=run.id,
                summary=summary.as_dict(),
                errors=[*errors, f"the import stopped: {exc}"],
            )
        raise
    summary.requests = session.requests
    if reporter:
        reporter.completed(
            status="completed",
            scan_id=run.id,
            kind=ScanKind.IMPORT,
            total=total,
            done=total,
            summary=summary.as_dict(),
            errors=errors,
        )
    return summary


def _import_folder(
    path: Path,
    episodes: int,
    session: MatchSession,
    taken: set[str],
    *,
    attach: bool,
    dry_run: bool,
    use_cache: bool,
) -> FolderRow:
    """Match one folder; attach its confident match when asked. ``taken``: the keys
    the library has, and those this run attached (or, dry, would have)."""
    try:
        matches = cached_matches(path) if use_cache else None
        if matches is None and dry_run:
            matches = [m.as_dict() for m in match_folder(path, session)]
        elif matches is None:
            matches = look_up_matches(path, session)
    except RemoteError as exc:
        return FolderRow(path.name, episodes, None, Outcome.FAILED, exc.message)
    matches = with_library_state(matches, taken)
    best = matches[0] if matches else None
    if best is None:
        return FolderRow(path.name, episodes, None, Outcome.NO_MATCH)
    if best["in_library"]:
        return FolderRow(path.name, episodes, best, Outcome.IN_LIBRARY)
    if not best["confident"]:
        return FolderRow(path.name, episodes, best, Outcome.CHOOSE)
    if not attach:
        return FolderRow(path.name, episodes, best, Outcome.CONFIDENT)
    row = _attach_row(path, episodes, best, dry_run=dry_run)
    taken.add(best["key"])
    return row
