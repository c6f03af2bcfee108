"""One claimed queue item, from its links to a file in the library (or a clear failure).

1. checks free space on the library and temp volumes, and chooses where the
   download is written: on the library's file system (``tempdir.download_location``),
2. asks the index for the episode's hoster links and orders them by the owner's
   language and hoster preferences (``downloads.candidates``),
3. for each candidate: resolves, extracts and downloads it, remuxing and
   verifying in the same pass (``downloads.attempts``) — moving on to the next
   hoster when it fails,
4. places the verified file into the series folder and records it
   (``downloads.placement.place_episode``), then completes the item.

A stop or shutdown returns the item to pending, a cancel leaves it cancelled,
and its partial files are removed either way. A job whose item was taken over
(returned to the queue by a new start, or claimed by another run) stops without
writing anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone

from aniworld import tempdir
from aniworld.disk_space import min_free_bytes, require_free_space
from aniworld.errors import InsufficientStorage, RemoteError
from aniworld.library_root import library_root
from downloads import queue, signals
from downloads.attempts import Attempt, LinkAttempts
from downloads.candidates import LinkChoice
from downloads.errors import (
    INTERRUPTIONS,
    ChallengeBlocked,
    DownloadCancelled,
    ItemCancelled,
    ItemFailed,
    ItemTakenOver,
    StopRequested,
)
from downloads.events import Stage, item_data
from downloads.failures import attempt_line, failure_message
from downloads.media import cleanup_temp
from downloads.models import DownloadItem, Status
from downloads.placement import Naming, PlacementError, place_episode
from downloads.tracking import ItemTracker
from library.naming import UnsafePathError, safe_join

if TYPE_CHECKING:
    from downloads.worker import DownloadWorker

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    path: Path
    hoster: str
    language: str
    attempts: list[Attempt] = field(default_factory=list)


class ItemJob:
    """Downloading one claimed item, with its progress reporting and stop checks."""

    def __init__(self, item: DownloadItem, worker: DownloadWorker):
        self.item = item
        self.worker = worker
        self.episode = item.episode
        self.temp_dir = Path(settings.TEMP_DIR)
        self.tracker = ItemTracker(item, worker)
        self.choice = LinkChoice(item, worker.settings)
        self._taken_over = False

    def run(self) -> None:
        self.tracker.reporter.started(**item_data(self.item))
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
        except (ItemFailed, PlacementError) as exc:
            self._fail(str(exc))
        except InsufficientStorage as exc:
            self._fail(exc.message)
        except Exception as exc:  # a bug must fail the item, never lose it
            log.exception("download of item %s crashed", self.item.id)
            self._fail(f"unexpected error: {exc}")
        finally:
            if not self._taken_over:  # the partial files may be the new owner's now
                self._remove_download_files()
            queue.publish_status()

    def download(self) -> Outcome:
        self.tracker.check_stop(force=True)  # before the first page is fetched
        root = self.check_free_space()
        work_dir, basename = tempdir.download_location(
            self.item.id, self.temp_dir, root, self._series_folder(root)
        )
        tries = LinkAttempts(self.tracker, self.choice, work_dir, basename)
        self.tracker.set_stage(Stage.RESOLVING, "reading the episode page")
        candidates = self.choice.user_links() + self.choice.candidates()
        attempts: list[Attempt] = []
        for link in candidates:
            self.tracker.check_stop()
            tries.current_hoster = link.hoster
            if attempts:
                failed = attempts[-1]
                self.tracker.set_stage(
                    Stage.FALLING_BACK,
                    f"{failed.hoster or 'the pasted link'} failed ({failed.error}); "
                    f"falling back to {link.hoster or 'the pasted link'}",
                )
            try:
                path = tries.try_link(link)
            except (DownloadCancelled, *INTERRUPTIONS):
                self.tracker.check_stop(force=True)
                raise StopRequested() from None
            except RemoteError as exc:
                log.info(
                    "item %s: %s (%s) failed: %s",
                    self.item.id,
                    tries.hoster_name,
                    link.language,
                    exc.message,
                )
                tries.record(exc)
                attempts.append(tries.failed(link, exc))
                continue
            tries.record()
            return Outcome(path, tries.current_hoster, link.language, attempts)
        if not attempts:
            raise ItemFailed(self.choice.no_candidates_reason())
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

    def check_free_space(self) -> Path:
        """The library root, once it and the temp dir have the minimum free space."""
        root = library_root()
        if root is None:
            raise ItemFailed("No library directory is configured.")
        require_free_space(
            {"the library": root, "the temp folder": self.temp_dir},
            min_free_bytes(self.worker.settings),
        )
        return root

    # -- endings ---------------------------------------------------------------

    def finish(self, outcome: Outcome) -> None:
        self.tracker.set_stage(Stage.PLACING, "moving the file into the library")
        naming = Naming(
            template=self.worker.settings["naming_template"],
            padding=int(self.worker.settings["episode_padding"]),
        )
        placed = place_episode(outcome.path, self.item, language=outcome.language, naming=naming)
        queue.transition(
            self.item.id,
            Status.COMPLETED,
            claim=self.item.started_at,
            completed_at=timezone.now(),
            file_path=placed.file_path,
            downloaded_language=outcome.language,
            percent=100,
            error="",
            eta_seconds=0,
        )
        self.item.refresh_from_db()
        self.tracker.reporter.completed(**item_data(self.item))
        log.info("item %s done: %s", self.item.id, placed.file_path)
        self._announce(
            signals.episode_placed,
            item=self.item,
            episode=self.episode,
            path=placed.path,
            replaced=placed.replaced,
        )

    def _series_folder(self, root: Path) -> Path:
        """Where the episode's file will go; the root itself for an unsafe folder name
        (placing refuses that name later, with the reason)."""
        try:
            return safe_join(root, self.episode.series.folder)
        except UnsafePathError:
            return root

    def _remove_download_files(self) -> None:
        """Every partial file of the item, wherever ``download_location`` put them."""
        cleanup_temp(self.temp_dir, tempdir.download_basename(self.item.id))
        root = library_root()
        if root is None:
            return
        hidden = tempdir.library_partial_basename(self.item.id)
        for folder in {root, self._series_folder(root)}:
            if folder.is_dir():
                cleanup_temp(folder, hidden)

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
            self.tracker.reporter.failed(**item_data(self.item))
            self._announce(signals.download_failed, item=self.item, message=message)

    def _announce(self, signal, **kwargs) -> None:
        # The worker class is the sender, as receivers have always seen it.
        sender = type(self.worker)
        for receiver, result in signal.send_robust(sender=sender, **kwargs):
            if isinstance(result, Exception):
                log.error("item %s: %s failed: %r", self.item.id, receiver, result)
