"""`manage.py scan [--series KEY] [--no-remote]`: scan the library from the shell."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from aniworld.errors import AppError
from library import scanning
from library.models import ScanStatus


def progress_bar(done: int, total: int, current: str, width: int = 30) -> str:
    filled = int(width * done / total) if total else width
    return f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {current[:40]:<40}"


class Command(BaseCommand):
    help = "Scan the library folder and refresh series from their index sites."

    def add_arguments(self, parser):
        parser.add_argument("--series", default="", metavar="KEY", help="scan one series only")
        parser.add_argument(
            "--no-remote", action="store_true", help="only look at the disk, ask no index site"
        )

    def handle(self, *args, **options):
        try:
            run = scanning.create_scan_run(options["series"], remote=not options["no_remote"])
        except AppError as exc:
            raise CommandError(exc.message) from exc
        interactive = sys.stdout.isatty()

        def show(done: int, total: int, current: str) -> None:
            if interactive:
                self.stdout.write(progress_bar(done, total, current), ending="")
            else:
                self.stdout.write(f"{done}/{total} {current}")

        run = scanning.run_scan(run.id, on_progress=show)
        run.refresh_from_db()
        if interactive:
            self.stdout.write("")
        summary = run.summary
        self.stdout.write(
            f"Scanned {summary.get('series', 0)} series: "
            f"{summary.get('episodes_on_disk', 0)} episodes on disk, "
            f"{summary.get('episodes_added', 0)} new from the index, "
            f"{len(summary.get('unmatched', []))} unmatched folder(s)."
        )
        for folder in summary.get("unmatched", []):
            self.stdout.write(f"  unmatched: {folder}")
        for warning in summary.get("warnings", []):
            self.stdout.write(self.style.WARNING(f"  warning: {warning}"))
        for error in run.errors:
            self.stderr.write(self.style.ERROR(f"  error: {error}"))
        if run.status == ScanStatus.FAILED:
            raise CommandError("The scan failed.")
