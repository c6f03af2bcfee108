"""`manage.py import_legacy`: take over an existing library through its folders' ``data`` files."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from aniworld.errors import AppError
from library import scanning
from library.models import Series


class Command(BaseCommand):
    help = (
        "Read the data files of an existing library into the database and record which "
        "episodes are on disk (no index site is asked; run `scan` afterwards for that)."
    )

    def handle(self, *args, **options):
        before = Series.objects.count()
        try:
            run = scanning.create_scan_run(remote=False)
        except AppError as exc:
            raise CommandError(exc.message) from exc
        run = scanning.run_scan(run.id)
        run.refresh_from_db()
        if run.errors:
            raise CommandError("; ".join(run.errors))
        imported = Series.objects.count() - before
        self.stdout.write(
            f"Imported {imported} series ({Series.objects.count()} in the library), "
            f"{run.summary.get('episodes_on_disk', 0)} episodes on disk."
        )
        for folder in run.summary.get("unmatched", []):
            self.stdout.write(f"  no data file: {folder}")
