"""The download worker: claims queue items one at a time and turns each into a library file.

``process_queue`` runs inside a django-q2 task. It claims the next pending item
(a conditional UPDATE, so a duplicate wake-up is harmless), downloads it, and
repeats until the queue is empty or stopped. For one item it:

1. checks free space on the library and temp volumes,
2. asks the index for the episode's hoster links and orders them by the
   owner's language and hoster preferences,
3. for each candidate: resolves the redirect, extracts the media URL, downloads
   into the temp dir (yt-dlp), remuxes and verifies (ffmpeg) — retrying
   transient errors with backoff, moving on to the next hoster otherwise,
4. moves the verified file atomically into the series folder under the naming
   template and marks the episode downloaded.

Stop, cancel and shutdown are noticed within a fraction of a second through
``should_stop``; the item then returns to pending (stop, shutdown) or stays
cancelled (the cancel recorded it), and its partial files are removed. A
shutdown, or ``serve`` going away (``aniworld.instance``), ends the worker's loop:
it claims nothing more. A job whose item was taken over (returned to the queue by
a new start, or claimed by another run; the claim is the item's ``started_at``)
stops without writing anything. Nothing partial ever reaches the library: files
appear there only by an atomic rename of a complete, verified file.
"""

from __future__ import annotations

import logging
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from aniworld import config, instance, tempdir
from aniworld.errors import InsufficientStorage, RemoteError
from aniworld.progress import ProgressReporter
from downloads import queue, signals
from downloads.hosters import get_extractor
from downloads.media import DownloadCancelled, Progress, cleanup_temp, download_media
from downloads.models import DownloadItem, QueueState, Status
from downloads.placement import move_atomically
from library.languages import preferred_order
from library.models import Episode
from library.naming import UnsafePathError, render_episode_path, safe_join
from library.providers import HosterLink, get_provider
from library.sync import library_root

log = logging.getLogger(__name__)

TRANSIENT_RETRIES = 2
RETRY_BACKOFF_SECONDS = 2.0
STOP_CHECK_INTERVAL = 0.5
GIGABYTE = 1024**3


class StopRequested(Exception):
    """The item must go back to pending (queue stopped or the app shutting down)."""


class ItemCancelled(Exception):
    """The owner cancelled the item while it downloaded (the cancel is already recorded)."""


class ItemTakenOver(Exception):
    """The item is no longer this job's claim: someone else decides what becomes of it."""


INTERRUPTIONS = (StopRequested, ItemCancelled, ItemTakenOver)


class ItemFailed(Exception):
    """Every candidate failed; the message says which and why, for a person to read."""


@dataclass
class Attempt:
    hoster: str
    language: str
    error: str


@dataclass
class Outcome:
    path: Path
    hoster: str
    language: str
    attempts: list[Attempt] = field(default_factory=list)


def process_queue() -> int:
    """Download pending items until none is left or the queue stops; return how many ran."""
    worker = DownloadWorker()
    with worker.signals():
        done = 0
        while worker.process_one():
            done += 1
    return done


class DownloadWorker:
    def __init__(self) -> None:
        self.shutting_down = False
        self.settings = config.current()["downloads"]

    def signals(self):
        return _SigtermSetsFlag(self)

    def stop_requested(self) -> bool:
        """True once a signal arrived or the supervisor (``serve``) stopped or died."""
        if instance.supervisor_gone():
            self.shutting_down = True
        return self.shutting_down

    def process_one(self) -> bool:
        """Claim and download one item; False when there was nothing to do or it must stop."""
        if self.stop_requested():
            return False
        close_old_connections()
        item = queue.claim_next()
        if item is None:
            return False
        self.settings = config.current()["downloads"]
        ItemJob(item, self).run()
        return True


class _SigtermSetsFlag:
    """SIGTERM (and Ctrl+C) stop the current download cleanly: the item goes back
    to pending and its partial files are removed, instead of dying mid-write."""

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self, worker: DownloadWorker):
        self.worker = worker
        self.previous: dict[int, object] = {}

    def __enter__(self):
        for signum in self.SIGNALS:
            try:
                if signal.getsignal(signum) is signal.SIG_IGN:
                    continue  # django-q2 workers ignore SIGINT on purpose
                self.previous[signum] = signal.signal(signum, self._handle)
            except ValueError:  # not the main thread (tests, sync mode): nothing to install
                break
        return self

    def _handle(self, signum, frame):
        self.worker.shutting_down = True

    def __exit__(self, *exc):
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)


class ItemJob:
    """Downloading one claimed item, with its progress reporting and stop checks."""

    def __init__(self, item: DownloadItem, worker: DownloadWorker):
        self.item = item
        self.worker = worker
        self.episode: Episode = item.episode
        self.series = item.episode.series
        self.basename = tempdir.download_basename(item.id)
        self.temp_dir = Path(settings.TEMP_DIR)
        self._next_stop_check = 0.0
        self._taken_over = False
        self.reporter = ProgressReporter("downloads", "download", persist=self._persist)

    # -- the whole job -------------------------------------------------------

    def run(self) -> None:
        from downloads.serializers import item_data

        self.reporter.started(**item_data(self.item))
        try:
            outcome = self.download()
            self.finish(outcome)
        except StopRequested:
            self._requeue()
        except ItemCancelled:
            log.info("item %s cancelled", self.item.id)
        except ItemTakenOver:
            log.warning("item %s was taken over; this run stops without touching it", self.item.id)
            self._taken_over = True
        except ItemFailed as exc:
            self._fail(str(exc))
        except InsufficientStorage as exc:
            self._fail(exc.message)
        except Exception as exc:  # a bug must fail the item, never lose it
            log.exception("download of item %s crashed", self.item.id)
            self._fail(f"unexpected error: {exc}")
        finally:
            if not self._taken_over:  # the temp files may be the new owner's now
                cleanup_temp(self.temp_dir, self.basename)
            queue.publish_status()

    def download(self) -> Outcome:
        self.check_stop(force=True)  # before the first page is fetched
        self.check_free_space()
        candidates = self.candidates()
        attempts: list[Attempt] = []
        for link in candidates:
            self.check_stop()
            try:
                path = self.try_link(link)
            except (DownloadCancelled, *INTERRUPTIONS):
                self.check_stop(force=True)
                raise StopRequested() from None
            except RemoteError as exc:
                log.info(
                    "item %s: %s (%s) failed: %s",
                    self.item.id,
                    link.hoster,
                    link.language,
                    exc.message,
                )
                attempts.append(Attempt(link.hoster, link.language, exc.message))
                continue
            return Outcome(path, link.hoster, link.language, attempts)
        if not attempts:
            raise ItemFailed(self.no_candidates_reason())
        tried = "; ".join(f"{a.hoster} ({a.language}): {a.error}" for a in attempts)
        raise ItemFailed(f"Every hoster failed. {tried}")

    # -- choosing links -------------------------------------------------------

    def links(self) -> list[HosterLink]:
        if not self.episode.url:
            raise ItemFailed("The index site lists no page for this episode; rescan the series.")
        try:
            return get_provider(self.series.site).links(self.episode.url)
        except RemoteError as exc:
            raise ItemFailed(f"Could not read the episode page: {exc.message}") from exc

    def languages(self) -> list[str]:
        if self.item.language:
            return [self.item.language]
        order = preferred_order()
        if self.item.upgrade and self.episode.downloaded_language in order:
            # An upgrade is only worth it in a language better than the one on disk.
            return order[: order.index(self.episode.downloaded_language)]
        return order

    def candidates(self) -> list[HosterLink]:
        """Links in the order to try: language preference first, then hoster preference."""
        self._links = self.links()
        hoster_rank = {
            name.casefold(): i for i, name in enumerate(self.worker.settings["hoster_order"])
        }
        language_rank = {language: i for i, language in enumerate(self.languages())}
        usable = [
            link
            for link in self._links
            if link.language in language_rank and link.hoster.casefold() in hoster_rank
        ]
        return sorted(
            usable,
            key=lambda link: (language_rank[link.language], hoster_rank[link.hoster.casefold()]),
        )

    def no_candidates_reason(self) -> str:
        if not self._links and self.episode.language_mask:
            # The season list offered it: an empty episode page is a changed layout.
            return (
                f"The episode page {self.episode.url} lists no hoster, although the season "
                "list offers this episode; the site's layout may have changed."
            )
        if not self._links:
            return "The episode page lists no hoster yet (the episode may only be announced)."
        offered = sorted({f"{link.hoster} ({link.language})" for link in self._links})
        return (
            f"No hoster in a wanted language and hoster order: offered are {', '.join(offered)}; "
            f"wanted languages {', '.join(self.languages())}."
        )

    # -- one candidate -------------------------------------------------------

    def try_link(self, link: HosterLink) -> Path:
        """Resolve, extract and download one link, retrying transient failures."""
        for attempt in range(TRANSIENT_RETRIES + 1):
            try:
                embed_url = get_provider(self.series.site).resolve(link.redirect_url)
                source = get_extractor(link.hoster).extract(embed_url)
                self._set_hoster(link)
                return download_media(
                    source,
                    self.temp_dir,
                    self.basename,
                    on_progress=self.on_progress,
                    should_stop=self.should_stop,
                    **settings.DOWNLOAD_MEDIA_OPTIONS,
                )
            except RemoteError as exc:
                if not exc.retryable or attempt == TRANSIENT_RETRIES:
                    raise
                pause = RETRY_BACKOFF_SECONDS * (2**attempt) * settings.DOWNLOAD_BACKOFF_SCALE
                log.info("item %s: %s, retrying in %.1fs", self.item.id, exc.message, pause)
                self._sleep(pause)
        raise AssertionError("unreachable")

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.check_stop(force=True)
            time.sleep(min(STOP_CHECK_INTERVAL, max(0.0, deadline - time.monotonic())))

    # -- stop, cancel, progress ----------------------------------------------

    def should_stop(self) -> bool:
        try:
            self.check_stop()
        except INTERRUPTIONS:
            return True
        return False

    def check_stop(self, force: bool = False) -> None:
        """Raise when the app shuts down, the queue stops, the item was cancelled or taken over."""
        if self.worker.stop_requested():
            raise StopRequested()
        now = time.monotonic()
        if not force and now < self._next_stop_check:
            return
        self._next_stop_check = now + STOP_CHECK_INTERVAL
        if not self._claim().exists():
            status = (
                DownloadItem.objects.filter(id=self.item.id)
                .values_list("status", flat=True)
                .first()
            )
            # A cancel is recorded by whoever cancelled; a deleted item went with its series.
            raise ItemCancelled() if status in (Status.CANCELLED, None) else ItemTakenOver()
        if not QueueState.get().is_running:
            raise StopRequested()

    def on_progress(self, progress: Progress) -> None:
        from downloads.serializers import progress_event

        item = self.item
        item.percent = progress.percent
        item.downloaded_bytes = progress.downloaded_bytes
        item.total_bytes = progress.total_bytes
        item.speed_bps = progress.speed_bps
        item.eta_seconds = progress.eta_seconds
        self.reporter.progress(**progress_event(item))

    def _claim(self):
        """The item, as long as it is still downloading under this job's claim."""
        return DownloadItem.objects.filter(
            id=self.item.id, status=Status.DOWNLOADING, started_at=self.item.started_at
        )

    def _persist(self, stage: str, data: dict) -> None:
        if stage == "progress":
            self._claim().update(
                percent=self.item.percent,
                downloaded_bytes=self.item.downloaded_bytes,
                total_bytes=self.item.total_bytes,
                speed_bps=self.item.speed_bps,
                eta_seconds=self.item.eta_seconds,
            )

    def _set_hoster(self, link: HosterLink) -> None:
        self.item.hoster = link.hoster
        self._claim().update(hoster=link.hoster)

    # -- endings ---------------------------------------------------------------

    def check_free_space(self) -> None:
        minimum = float(self.worker.settings["min_free_space_gb"]) * GIGABYTE
        root = library_root()
        for label, path in (("the library", root), ("the temp folder", self.temp_dir)):
            if path is None:
                raise ItemFailed("No library directory is configured.")
            path.mkdir(parents=True, exist_ok=True)
            free = shutil.disk_usage(path).free
            if free < minimum:
                raise InsufficientStorage(
                    f"Only {free / GIGABYTE:.1f} GB free on {label} ({path}); "
                    f"downloads need at least {minimum / GIGABYTE:g} GB (Settings → Downloads)."
                )

    def finish(self, outcome: Outcome) -> None:
        target = self.place(outcome)
        root = library_root()
        relative = target.relative_to(root.resolve()).as_posix()
        old_path = self.episode.file_path
        size = target.stat().st_size
        Episode.objects.filter(id=self.episode.id).update(
            is_downloaded=True,
            file_path=relative,
            downloaded_language=outcome.language,
            file_size=size,
        )
        if self.item.upgrade and old_path and old_path != relative:
            self._remove_old_file(root, old_path)
        now = timezone.now()
        queue.transition(
            self.item.id,
            Status.COMPLETED,
            claim=self.item.started_at,
            completed_at=now,
            file_path=relative,
            downloaded_language=outcome.language,
            percent=100,
            error="",
            eta_seconds=0,
        )
        self.item.refresh_from_db()
        from downloads.serializers import item_data

        self.reporter.completed(**item_data(self.item))
        log.info("item %s done: %s", self.item.id, relative)
        self._announce(
            signals.episode_placed,
            item=self.item,
            episode=self.episode,
            path=target,
            replaced=old_path if old_path != relative else "",
        )

    def place(self, outcome: Outcome) -> Path:
        """Move the verified file into the series folder, atomically, never over another file."""
        root = library_root()
        relative = render_episode_path(
            self.worker.settings["naming_template"],
            series=self.series.name,
            year=self.series.year,
            season=self.episode.season,
            episode=self.episode.number,
            title=self.episode.title or self.episode.title_en,
            language=outcome.language,
            padding=int(self.worker.settings["episode_padding"]),
        )
        try:
            target = safe_join(root, self.series.folder, str(relative))
        except UnsafePathError as exc:
            raise ItemFailed(f"The episode's file name is not safe: {exc}") from exc
        file_path = target.relative_to(root.resolve()).as_posix()
        # A run of this item killed between the move and recording it left the file there.
        ours = self.item.file_path == file_path
        if (
            target.exists()
            and not ours
            and not (self.item.upgrade and self._is_current_file(root, target))
        ):
            raise ItemFailed(f"A file already exists at {target}; it was not overwritten.")
        target.parent.mkdir(parents=True, exist_ok=True)
        # Recorded before the move, so that a later run knows whose file that is.
        self._claim().update(file_path=file_path)
        try:
            move_atomically(outcome.path, target, should_stop=self.should_stop)
        except (OSError, DownloadCancelled) as exc:
            if not target.exists():
                DownloadItem.objects.filter(id=self.item.id).update(file_path="")
            if isinstance(exc, DownloadCancelled):
                self.check_stop(force=True)  # cancelled, or shutting down
                raise StopRequested() from None
            raise
        return target

    def _is_current_file(self, root: Path, target: Path) -> bool:
        return bool(self.episode.file_path) and (root / self.episode.file_path).resolve() == target

    def _remove_old_file(self, root: Path, old_path: str) -> None:
        try:
            safe_join(root, old_path).unlink(missing_ok=True)
        except (UnsafePathError, OSError) as exc:
            log.warning("could not remove the replaced file %s: %s", old_path, exc)

    def _requeue(self) -> None:
        """Back to pending after a stop or shutdown, unless the item is no longer this job's."""
        if queue.transition(
            self.item.id,
            Status.PENDING,
            claim=self.item.started_at,
            percent=0,
            downloaded_bytes=0,
            started_at=None,
            speed_bps=None,
            eta_seconds=None,
        ):
            log.info("item %s stopped; it will resume from the start", self.item.id)

    def _fail(self, message: str) -> None:
        from downloads.serializers import item_data

        moved = queue.transition(
            self.item.id,
            Status.FAILED,
            claim=self.item.started_at,
            error=message,
            completed_at=timezone.now(),
            speed_bps=None,
            eta_seconds=None,
        )
        self.item.refresh_from_db()
        if moved:
            log.warning("item %s failed: %s", self.item.id, message)
            self.reporter.failed(**item_data(self.item))
            self._announce(signals.download_failed, item=self.item, message=message)

    def _announce(self, signal, **kwargs) -> None:
        for receiver, result in signal.send_robust(sender=DownloadWorker, **kwargs):
            if isinstance(result, Exception):
                log.error("item %s: %s failed: %r", self.item.id, receiver, result)
