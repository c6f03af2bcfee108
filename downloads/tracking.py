"""One claimed item's live state: its stop checks, its stage and its progress.

Each step of a download is a ``stage`` with a message in the item's ``progress``
(resolving, downloading, retrying VOE 2/3 in 4 s, falling back to Vidoza,
remuxing, placing), persisted and pushed at once, so a slow or failing download
never looks idle. Byte progress is throttled by the reporter.

Stop, cancel and shutdown are noticed within a fraction of a second through
``should_stop``. Every write goes through the claim (the item's ``started_at``):
a job whose item was taken over changes nothing.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from aniworld.progress import ProgressReporter
from downloads import queue
from downloads.errors import INTERRUPTIONS, ItemCancelled, ItemTakenOver, StopRequested
from downloads.events import Stage, progress_event
from downloads.media import Progress
from downloads.models import DownloadItem, QueueState, Status

if TYPE_CHECKING:
    from downloads.worker import DownloadWorker

log = logging.getLogger(__name__)

STOP_CHECK_INTERVAL = 0.5


class ItemTracker:
    """Stop checks, stages and progress of one claimed item."""

    def __init__(self, item: DownloadItem, worker: DownloadWorker):
        self.item = item
        self.worker = worker
        self._next_stop_check = 0.0
        self.reporter = ProgressReporter("downloads", "download", persist=self._persist)

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
        if not self.claim().exists():
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

    def set_hoster(self, hoster: str) -> None:
        self.item.hoster = hoster
        self.claim().update(hoster=hoster)

    def claim(self):
        """The item, as long as it is still downloading under this job's claim."""
        return queue.claimed(self.item)

    def _persist(self, stage: str, data: dict) -> None:
        if stage == "progress":
            self.claim().update(
                percent=self.item.percent,
                downloaded_bytes=self.item.downloaded_bytes,
                total_bytes=self.item.total_bytes,
                speed_bps=self.item.speed_bps,
                eta_seconds=self.item.eta_seconds,
                stage=self.item.stage,
                stage_message=self.item.stage_message,
            )
