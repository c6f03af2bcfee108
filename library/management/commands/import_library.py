"""`manage.py import_library [--dry-run] [--attach-confident]`: bring an existing library.

Matches every folder without a ``data`` file against both index sites (see
``library.matching``), shows a progress bar and then a table: folder, episodes
found on disk, best match with its confidence and reason, and what was done.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from aniworld.errors import AppError
from library import importing, scanning
from library.management.commands.scan import progress_bar
from library.models import ScanKind

COLUMN_WIDTHS = (40, 8, 45, 10, 60, 40)


def shortened(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def summary_table(rows: list[importing.FolderRow]) -> list[str]:
    """The rows as aligned text columns, long cells shortened."""
    header = ("Folder", "Episodes", "Best match", "Confidence", "Why", "Outcome")
    lines = [header]
    for row in rows:
        match = row.match or {}
        lines.append(
            (
                row.folder,
                str(row.episodes),
                f"{match['name']} ({match['site']})" if match else "-",
                f"{round(match['confidence'] * 100)} %" if match else "-",
                match.get("reason", "-"),
                f"{row.outcome}: {row.message}" if row.message else row.outcome,
            )
        )
    cells = [
        [shortened(cell, width) for cell, width in zip(line, COLUMN_WIDTHS, strict=True)]
        for line in lines
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in cells
    ]


class Command(BaseCommand):
    help = (
        "Match the library folders that belong to no series yet against aniworld.to and s.to, "
        "by IMDb id (folder name, tvshow.nfo) and by title and year."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="look everything up, change nothing (no folder attached, nothing recorded)",
        )
        parser.add_argument(
            "--attach-confident",
            action="store_true",
            help="attach every folder whose best match is confident (IMDb id, or ≥ 90 %%)",
        )

    def handle(self, *args, **options):
        dry_run, attach = options["dry_run"], options["attach_confident"]
        try:
            run = None if dry_run else scanning.create_scan_run(kind=ScanKind.IMPORT)
        except AppError as exc:
            raise CommandError(exc.message) from exc
        interactive = sys.stdout.isatty()

        def show(done: int, total: int, current: str) -> None:
            if interactive:
                self.stdout.write(progress_bar(done, total, current), ending="")
            else:
                self.stdout.write(f"{done}/{total} {current}")

        try:
            summary = importing.run_import(run, attach=attach, dry_run=dry_run, on_progress=show)
        except (AppError, OSError) as exc:
            raise CommandError(getattr(exc, "message", None) or str(exc)) from exc
        if interactive:
            self.stdout.write("")
        if run is not None:
            run.refresh_from_db()
            if run.errors and not summary.rows:
                raise CommandError("; ".join(run.errors))
        for line in summary_table(summary.rows):
            self.stdout.write(line)
        counts = summary.as_dict()
        verb = "would attach" if dry_run else "attached"
        attached = summary.count(importing.Outcome.WOULD_ATTACH, importing.Outcome.ATTACHED)
        self.stdout.write(
            f"{counts['folders']} folder(s): {counts['confident']} confident, {verb} {attached}, "
            f"{counts['to_choose']} to choose by hand, {counts['without_match']} without a match, "
            f"{counts['in_library']} of a series already in the library, "
            f"{counts['failed']} failed." + (" Dry run: nothing was changed." if dry_run else "")
        )
