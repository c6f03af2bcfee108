"""`manage.py repair_nfo [--dry-run]`: list incomplete tvshow.nfo files and fix them now.

Episode NFOs and season posters are checked too: missing or incomplete episode
NFOs are rewritten from the stored TMDB data, NFOs whose video is gone removed.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from aniworld.errors import AppError
from library.models import Series
from nfo import repair, service
from nfo.episodes import EpisodeFilesCheck
from nfo.health import tmdb_configured
from nfo.repair import RepairAction, RepairItem
from nfo.tmdb import TmdbAuthError

PROBLEMS = {
    "missing": "no tvshow.nfo",
    "invalid": "unreadable",
    "incomplete": "missing",
}
SKIPPED = {
    RepairAction.NEEDS_MATCH: "needs a TMDB match first: set the TMDB id on the series page",
    RepairAction.NOTHING_MORE: "TMDB has no data for these tags",
}


def describe(item: RepairItem) -> str:
    problem = PROBLEMS[item.condition]
    if item.condition == "incomplete":
        problem += " " + ", ".join(item.missing_tags)
    elif item.parse_error:
        problem += f" ({item.parse_error})"
    note = f" [{SKIPPED[item.action]}]" if item.action in SKIPPED else ""
    return f"{item.name} ({item.key}): {problem}{note}"


def describe_episode_files(key: str, files: EpisodeFilesCheck) -> str:
    problems = [
        f"{count} {what}"
        for count, what in (
            (len(files.missing_nfo), "episode NFO(s) missing"),
            (len(files.incomplete_nfo), "episode NFO(s) incomplete"),
            (len(files.orphan_nfos), "episode NFO(s) without their video"),
        )
        if count
    ]
    if files.missing_posters:
        problems.append("no " + ", ".join(files.missing_posters))
    return f"{key}: " + "; ".join(problems)


class Command(BaseCommand):
    help = (
        "List every series whose tvshow.nfo is missing, unreadable or incomplete, "
        "then rewrite those from TMDB (not with --dry-run)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="only list what is incomplete; change nothing"
        )

    def handle(self, *args, dry_run: bool = False, **options):
        try:
            report = repair.examine_library(save=not dry_run, episode_files=True)
        except AppError as exc:
            raise CommandError(exc.message) from exc
        for key, files in report.episode_files.items():
            self.stdout.write(describe_episode_files(key, files))
        if not report.incomplete and not report.queued:
            if not dry_run and report.episode_files:
                changed = repair.fix_episode_files(report)
                self.stdout.write(f"Episode files fixed: {changed}.")
            self.stdout.write(f"All {report.checked} tvshow.nfo files are complete.")
            return
        for item in report.incomplete:
            self.stdout.write(describe(item))
        summary = f"{len(report.incomplete)} of {report.checked} series lack a complete tvshow.nfo"
        if dry_run:
            self.stdout.write(f"{summary}; nothing changed (dry run).")
            return
        if report.episode_files:
            self.stdout.write(f"Episode files fixed: {repair.fix_episode_files(report)}.")
        self.stdout.write(f"{summary}; repairing {len(report.queued)}.")
        if report.queued and not tmdb_configured():
            raise CommandError(service.TmdbNotConfigured().message)
        failures = 0
        for series in Series.objects.filter(key__in=report.queued).order_by("name", "id"):
            try:
                state = service.create_or_refresh(series)
            except TmdbAuthError as exc:
                raise CommandError(exc.message) from exc
            except AppError as exc:
                failures += 1
                self.stdout.write(f"  failed {series.key}: {exc.message}")
                continue
            result = "complete" if state.complete else "written, TMDB has no data for "
            if not state.complete:
                result += ", ".join(state.missing_tags)
            self.stdout.write(f"  fixed {series.key}: {result}")
        if failures:
            raise CommandError(f"{failures} tvshow.nfo file(s) could not be repaired.")
