"""The download worker: claims queue items one at a time and turns each into a library file.

``process_queue`` runs inside a django-q2 task. It claims the next pending item
(a conditional UPDATE, so a duplicate wake-up is harmless), downloads it
(``downloads.item_job``), and repeats until the queue is empty or stopped.

A shutdown (SIGTERM, Ctrl+C), or ``serve`` going away (``aniworld.instance``),
ends the loop: the current item returns to pending with its partial files
removed, and nothing more is claimed. Nothing partial ever reaches the library:
files appear there only by an atomic rename of a complete, verified file.
"""

from __future__ import annotations

import signal

from django.db import close_old_connections

from aniworld import config, instance
from downloads import queue
from downloads.item_job import ItemJob


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

    def process_one(self, series_id: int | None = None) -> bool:
        """Claim and download one item (of that series only, given ``series_id``); False
        when there was nothing to do or it must stop."""
        if self.stop_requested():
            return False
        close_old_connections()
        item = queue.claim_next(series_id)
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
