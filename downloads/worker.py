"""The download worker: claims queue items one at a time and turns each into a library file.

``process_queue`` runs inside a django-q2 task. It claims the next pending item
(a conditional UPDATE, so a duplicate wake-up is harmless), downloads it, and
repeats until the queue is empty or stopped. For one item it:

1. checks free space on the library and temp volumes,
2. asks the index for the episode's hoster links and orders them by the
   owner's language and hoster preferences,
3. for each candidate: resolves the redirect, extracts the media URL, downloads
   into the temp dir, remuxing and verifying in the same pass (downloads.media) —
   retrying transient errors with backoff, moving on to the next hoster otherwise,
4. moves the verified file atomically into the series folder under the naming
   template and marks the episode downloaded.

Each step is a ``stage`` with a message in the item's ``progress`` (resolving,
downloading, retrying VOE 2/3 in 4 s, falling back to Vidoza, remuxing, placing),
persisted and pushed at once, so a slow or failing download never looks idle.

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
import math
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from aniworld import config, instance, tempdir
from aniworld.disk_space import min_free_bytes, require_free_space
from aniworld.errors import ChallengeError, InsufficientStorage, RemoteError
from aniworld.file_modes import make_library_dir
from aniworld.library_root import library_root
from aniworld.progress import ProgressReporter
from downloads import hoster_stats, queue, signals
from downloads.errors import MediaDownloadError, MediaVerificationError
from downloads.events import Stage, item_data, progress_event
from downloads.failures import attempt_line, failure_message, language_words
from downloads.hosters import (
    ExtractionError,
    HosterChallenge,
    MediaSource,
    extract_any,
    get_extractor,
)
from downloads.media import DownloadCancelled, Progress, cleanup_temp, download_media
from downloads.models import DownloadItem, QueueState, Status
from downloads.placement import move_atomically
from library.languages import preferred_order
from library.models import Episode
from library.naming import UnsafePathError, render_episode_path, safe_join
from library.providers import HosterLink, get_provider

log = logging.getLogger(__name__)

TRANSIENT_RETRIES = 2
RETRY_BACKOFF_SECONDS = 2.0
STOP_CHECK_INTERVAL = 0.5
# How often a retry's countdown ("retrying VOE 2/3 in 4 s") is brought up to date.
COUNTDOWN_STEP_SECONDS = 1.0


class StopRequested(Exception):
    """The item must go back to pending (queue stopped or the app shutting down)."""


class ItemCancelled(Exception):
    """The owner cancelled the item while it downloaded (the cancel is already recorded)."""


class ItemTakenOver(Exception):
    """The item is no longer this job's claim: someone else decides what becomes of it."""


INTERRUPTIONS = (StopRequested, ItemCancelled, ItemTakenOver)


class ItemFailed(Exception):
    """Every candidate failed; the message says which and why, for a person to read."""


class ChallengeBlocked(ItemFailed):
    """Links were blocked by checks only a person can pass; ``links`` are theirs to open."""

    def __init__(self, message: str, links: list[dict[str, str]]):
        super().__init__(message)
        self.links = links


@dataclass
class Attempt:
    hoster: str
    language: str
    error: str
    blocked: bool = False
    url: str = ""


@dataclass(frozen=True)
class UserLink:
    """The hoster page the owner reached in their own browser, past a check."""

    hoster: str  # empty: recognised from the page
    language: str
    embed_url: str


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
        # The hoster of the link being tried; a pasted link's once recognised.
        self.current_hoster = ""
        self._taken_over = False
        self.reporter = ProgressReporter("downloads", "download", persist=self._persist)
        # Pages already read for this item: a retry does not fetch them again.
        self._embed_urls: dict[str, str] = {}
        self._sources: dict[str, MediaSource] = {}

    # -- the whole job -------------------------------------------------------

    def run(self) -> None:
        self.reporter.started(**item_data(self.item))
        self._announce(signals.download_started, item=self.item)
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
        except ChallengeBlocked as exc:
            self._fail(str(exc), error_code="CHALLENGE", links=exc.links)
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
        self.set_stage(Stage.RESOLVING, "reading the episode page")
        candidates = self.user_links() + self.candidates()
        attempts: list[Attempt] = []
        for link in candidates:
            self.check_stop()
            self.current_hoster = link.hoster
            if attempts:
                failed = attempts[-1]
                self.set_stage(
                    Stage.FALLING_BACK,
                    f"{failed.hoster or 'the pasted link'} failed ({failed.error}); "
                    f"falling back to {link.hoster or 'the pasted link'}",
                )
            try:
                path = self.try_link(link)
            except (DownloadCancelled, *INTERRUPTIONS):
                self.check_stop(force=True)
                raise StopRequested() from None
            except RemoteError as exc:
                log.info(
                    "item %s: %s (%s) failed: %s",
                    self.item.id,
                    self.current_hoster or "the pasted link",
                    link.language,
                    exc.message,
                )
                self.record_attempt(exc)
                attempts.append(self.failed_attempt(link, exc))
                continue
            self.record_attempt()
            return Outcome(path, self.current_hoster, link.language, attempts)
        if not attempts:
            raise ItemFailed(self.no_candidates_reason())
        tried = [attempt_line(a.hoster, a.language, a.error) for a in attempts]
        blocked = [attempt for attempt in attempts if attempt.blocked]
        if blocked:
            raise ChallengeBlocked(
                failure_message(
                    "A check that only a person can pass (Turnstile, ALTCHA or a bot check) "
                    f"blocks {len(blocked)} of the {len(attempts)} links. Open one in your "
                    "browser, pass the check, and paste the address of the video page on the "
                    "Queue page.",
                    tried,
                ),
                [{"hoster": a.hoster, "language": a.language, "url": a.url} for a in blocked],
            )
        raise ItemFailed(failure_message("Every hoster failed.", tried))

    # -- attempts: per-hoster records, blocked links -------------------------------

    def failed_attempt(self, link: HosterLink | UserLink, exc: RemoteError) -> Attempt:
        # A check on the index site's redirect (ChallengeError) or on the hoster's page.
        blocked = isinstance(exc, ChallengeError | HosterChallenge)
        return Attempt(
            self.current_hoster, link.language, exc.message, blocked, self._link_url(link)
        )

    def record_attempt(self, exc: RemoteError | None = None) -> None:
        """Count the try for its hoster, unless the index site failed before the hoster
        was reached (its errors are neither ExtractionError nor MediaDownloadError)."""
        if not self.current_hoster:
            return
        if exc is not None and not isinstance(exc, ExtractionError | MediaDownloadError):
            return
        hoster_stats.record(
            self.current_hoster,
            succeeded=exc is None,
            error=exc.message if exc is not None else "",
            item=self.item,
        )

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

    def user_links(self) -> list[UserLink]:
        """The hoster page the owner pasted after a CHALLENGE, tried before the site's links."""
        if not self.item.user_link_url:
            return []
        stored = [link.get("language", "") for link in self.item.links or []]
        language = self.item.language or next(iter(stored), "") or self.languages()[0]
        return [UserLink(self.item.user_link_hoster, language, self.item.user_link_url)]

    def hoster_order(self) -> list[str]:
        """The owner's hoster order; with ``hoster_order_auto``, failing hosters go last."""
        order = list(self.worker.settings["hoster_order"])
        if self.worker.settings["hoster_order_auto"]:
            return hoster_stats.fallback_order(order)
        return order

    def candidates(self) -> list[HosterLink]:
        """Links in the order to try: language preference first, then hoster preference."""
        self._links = self.links()
        hoster_rank = {name.casefold(): i for i, name in enumerate(self.hoster_order())}
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
        offered = sorted(
            {f"{link.hoster} ({language_words(link.language)})" for link in self._links}
        )
        wanted = ", ".join(language_words(language) for language in self.languages())
        return (
            f"No hoster in a wanted language and hoster order: offered are {', '.join(offered)}; "
            f"wanted languages {wanted}."
        )

    # -- one candidate -------------------------------------------------------

    def try_link(self, link: HosterLink | UserLink) -> Path:
        """Resolve, extract and download one link, retrying transient failures."""
        for attempt in range(TRANSIENT_RETRIES + 1):
            try:
                source = self.source(link)
                self._set_hoster(self.current_hoster)
                self.set_stage(
                    Stage.DOWNLOADING,
                    f"downloading from {self.current_hoster or 'the pasted link'}",
                )
                return download_media(
                    source,
                    self.temp_dir,
                    self.basename,
                    on_progress=self.on_progress,
                    should_stop=self.should_stop,
                    on_stage=lambda stage, message: self.set_stage(
                        stage, f"{self.current_hoster or 'the pasted link'}: {message}"
                    ),
                    **settings.DOWNLOAD_MEDIA_OPTIONS,
                )
            except RemoteError as exc:
                if not isinstance(exc, MediaDownloadError):
                    # The page failed, not the media: read it again next time.
                    self._sources.pop(self._link_url(link), None)
                # A check page stays a check page however often we ask; and the media
                # fetch retried transient failures itself, so retrying the whole link on
                # top would multiply the waits before the next hoster gets a turn.
                checked = isinstance(exc, ChallengeError)
                fetch_retried = isinstance(exc, MediaDownloadError) and not isinstance(
                    exc, MediaVerificationError
                )
                if checked or not exc.retryable or fetch_retried or attempt == TRANSIENT_RETRIES:
                    raise
                pause = RETRY_BACKOFF_SECONDS * (2**attempt) * settings.DOWNLOAD_BACKOFF_SCALE
                log.info("item %s: %s, retrying in %.1fs", self.item.id, exc.message, pause)
                self._sleep(
                    pause,
                    lambda left, attempt=attempt, exc=exc: (
                        f"retrying {self.current_hoster or 'the pasted link'} "
                        f"{attempt + 2}/{TRANSIENT_RETRIES + 1} "
                        f"in {left} s ({exc.message})"
                    ),
                )
        raise AssertionError("unreachable")

    def source(self, link: HosterLink | UserLink) -> MediaSource:
        """The link's media source, resolving and extracting only what is not known yet."""
        url = self._link_url(link)
        if url in self._sources:
            return self._sources[url]
        self.set_stage(
            Stage.RESOLVING, f"resolving {link.hoster or 'the pasted link'} ({link.language})"
        )
        source = self.extract(link)
        self._sources[url] = source
        return source

    @staticmethod
    def _link_url(link: HosterLink | UserLink) -> str:
        return link.redirect_url if isinstance(link, HosterLink) else link.embed_url

    def extract(self, link: HosterLink | UserLink) -> MediaSource:
        """The media behind a link; a pasted link of unnamed hoster is recognised from its page."""
        if isinstance(link, HosterLink):
            embed_url = self._embed_urls.get(link.redirect_url)
            if embed_url is None:
                embed_url = get_provider(self.series.site).resolve(link.redirect_url)
                self._embed_urls[link.redirect_url] = embed_url
            return get_extractor(link.hoster).extract(embed_url)
        if link.hoster:
            return get_extractor(link.hoster).extract(link.embed_url)
        self.current_hoster, source = extract_any(link.embed_url, self.hoster_order())
        return source

    def _sleep(self, seconds: float, countdown=None) -> None:
        """Pause, noticing a stop; ``countdown(seconds_left)`` names the wait in the stage."""
        deadline = time.monotonic() + seconds
        next_update = 0.0
        while (left := deadline - time.monotonic()) > 0:
            self.check_stop(force=True)
            if countdown is not None and time.monotonic() >= next_update:
                self.set_stage(Stage.RETRYING, countdown(math.ceil(left)))
                next_update = time.monotonic() + COUNTDOWN_STEP_SECONDS
            time.sleep(min(STOP_CHECK_INTERVAL, left))

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
        item = self.item
        item.percent = progress.percent
        item.downloaded_bytes = progress.downloaded_bytes
        item.total_bytes = progress.total_bytes
        item.speed_bps = progress.speed_bps
        item.eta_seconds = progress.eta_seconds
        if item.stage != Stage.DOWNLOADING and progress.percent < 100:
            # Bytes flow again after a retry.
            item.stage = Stage.DOWNLOADING
            item.stage_message = f"downloading from {item.hoster}"
        self.reporter.progress(**progress_event(item))

    def set_stage(self, stage: str, message: str) -> None:
        """Persist and push what the worker does now; never throttled away."""
        if (self.item.stage, self.item.stage_message) == (stage, message):
            return
        self.item.stage = stage
        self.item.stage_message = message[:500]
        log.debug("item %s: %s: %s", self.item.id, stage, message)
        self.reporter.progress(force=True, **progress_event(self.item))

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
                stage=self.item.stage,
                stage_message=self.item.stage_message,
            )

    def _set_hoster(self, hoster: str) -> None:
        self.item.hoster = hoster
        self._claim().update(hoster=hoster)

    # -- endings ---------------------------------------------------------------

    def check_free_space(self) -> None:
        root = library_root()
        if root is None:
            raise ItemFailed("No library directory is configured.")
        require_free_space(
            {"the library": root, "the temp folder": self.temp_dir},
            min_free_bytes(self.worker.settings),
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
        make_library_dir(target.parent)
        self.set_stage(Stage.PLACING, "moving the file into the library")
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

    def _fail(self, message: str, *, error_code: str = "", links: list | None = None) -> None:
        moved = queue.transition(
            self.item.id,
            Status.FAILED,
            claim=self.item.started_at,
            error=message,
            error_code=error_code,
            links=links or [],
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
