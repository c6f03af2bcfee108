"""`manage.py download [--series KEY] [--all-missing]`: queue episodes and download them here.

It takes the data dir's instance lock as ``serve`` does (``aniworld.instance``), so it
refuses to run beside a running app and a ``serve`` started meanwhile refuses too:
two downloaders would each treat the other's item and partial file as left over by
a crash. Holding the lock, it first cleans up what a killed run left behind, as
``serve`` does at its start.
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from aniworld import tempdir
from aniworld.errors import AppError
from aniworld.instance import LEFTOVER_WAIT_SECONDS, AlreadyRunning, InstanceLock
from aniworld.library_root import library_root
from downloads import queue
from downloads.models import DownloadItem, QueueState, Status
from downloads.worker import DownloadWorker
from library.catalog import get_series
from library.management.commands.scan import progress_bar
from library.models import Series


class Command(BaseCommand):
    help = "Queue missing episodes and download the queue in this process, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("--series", metavar="KEY", help="only this series")
        parser.add_argument(
            "--all-missing", action="store_true", help="queue every missing episode first"
        )

    def handle(self, *args, **options):
        lock = InstanceLock(settings.DATA_DIR)
        try:
            lock.acquire("", wait_for_leftovers=LEFTOVER_WAIT_SECONDS, command="download")
        except AlreadyRunning as exc:
            raise CommandError(str(exc)) from exc
        try:
            tempdir.purge_leftovers(library_root())
            queue.restore_after_restart(wake=False)
            self._queue_and_download(options)
        except tempdir.UnsafeTempDir as exc:
            raise CommandError(str(exc)) from exc
        finally:
            lock.release()

    def _queue_and_download(self, options) -> None:
        try:
            series = [get_series(options["series"])] if options["series"] else None
        except AppError as exc:
            raise CommandError(exc.message) from exc
        if options["all_missing"]:
            added = 0
            with transaction.atomic():
                for item in series or Series.objects.all():
                    added += len(
                        queue.add_episodes(item, queue.missing_codes(item), wake=False).added
                    )
            self.stdout.write(f"Queued {added} missing episode(s).")
        pending = DownloadItem.objects.filter(status=Status.PENDING)
        if series:
            pending = pending.filter(episode__series=series[0])
        total = pending.count()
        if not total:
            self.stdout.write("Nothing to download.")
            return
        if not QueueState.get().is_running:
            raise CommandError("The queue is stopped; start it (POST /api/queue/start) first.")
        self.stdout.write(f"Downloading {total} episode(s); Ctrl+C stops and keeps them queued.")
        worker = DownloadWorker()
        done = failed = 0
        with worker.signals():
            while not worker.shutting_down:
                before = set(
                    DownloadItem.objects.filter(status=Status.FAILED).values_list("id", flat=True)
                )
                if not worker.process_one(series[0].id if series else None):
                    break
                newly_failed = DownloadItem.objects.filter(status=Status.FAILED).exclude(
                    id__in=before
                )
                for item in newly_failed.select_related("episode__series"):
                    failed += 1
                    self.stderr.write(self.style.ERROR(f"\nfailed: {item.episode}: {item.error}"))
                done += 1
                if sys.stdout.isatty():
                    self.stdout.write(progress_bar(done, total, ""), ending="")
        self.stdout.write(f"\nFinished {done} item(s), {failed} failed.")
