"""What the app does on its own schedule: the daily rescan, the new-episode watch, backups.

Schedules are django-q2 ``Schedule`` rows declared idempotently by name
(``declare_schedules``): at start (a step of ``aniworld.startup``) and after
every settings change, so a new time takes effect at once. Never in
``AppConfig.ready``: that runs in every process, before migrations, and for
every management command.

Why we compute ``next_run`` ourselves instead of using ``Schedule.CRON``:
django-q2 evaluates cron expressions with ``croniter``, which is not a
dependency of ours (and no longer maintained upstream). The rule we need is
small: "HH:MM local time on these weekdays", with ``TIME_ZONE`` from settings.
``next_daily_run`` turns it into an aware UTC moment with ``zoneinfo``, so a
daylight-saving change never shifts the local time; a time that does not exist
on the spring-forward day runs an hour later, one that happens twice in
autumn runs once. The row is a ``DAILY`` schedule with our ``next_run``; when
it fires, ``run_scheduled`` declares the schedules again (which moves the next
run past weekdays that are not chosen) and skips a day that is not chosen.

Missed runs are not caught up (``catch_up=False`` in ``Q_CLUSTER``, and a
declaration moves a ``next_run`` older than ``GRACE`` forward).

Every run, scheduled or "run now", is recorded in a ``JobRun``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task

from aniworld import config, logs
from aniworld.config import WEEKDAYS
from aniworld.errors import Conflict, ValidationFailed
from aniworld.models import Job, JobRun, RunStatus, Trigger
from downloads.new_episodes import watch
from downloads.queue import add_episodes, missing_codes
from library import scanning
from library.models import ScanRun, ScanStatus, Series
from nfo.health import tmdb_configured
from system.backups import create_backup

log = logging.getLogger(__name__)

TASK = "system.scheduler.run_scheduled"
SCHEDULE_NAMES = {
    Job.RESCAN: "aniworld: daily rescan",
    Job.NEW_EPISODES: "aniworld: new-episode watch",
    Job.BACKUP: "aniworld: scheduled backup",
}
# A next run this far in the past is a missed run: it is moved on, not caught up.
GRACE = timedelta(minutes=10)


def local_zone() -> tzinfo:
    return ZoneInfo(settings.TIME_ZONE)


def next_daily_run(
    after: datetime, at: str, days: Iterable[str], zone: tzinfo | None = None
) -> datetime | None:
    """The first moment strictly after ``after`` that is ``at`` ("HH:MM") local time on
    one of ``days`` (mon … sun), in UTC; None when no day is chosen."""
    zone = zone or local_zone()
    wanted = set(days)
    if not wanted:
        return None
    hour, minute = (int(part) for part in at.split(":"))
    start = after.astimezone(zone).date()
    for offset in range(8):
        day = start + timedelta(days=offset)
        if WEEKDAYS[day.weekday()] not in wanted:
            continue
        # fold=0: a time inside the spring-forward gap counts with the old offset
        # (it runs an hour later, local time); an ambiguous autumn time is its first one.
        moment = datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)
        if moment > after:
            return moment
    return None


@dataclass(frozen=True)
class Plan:
    """How one job should be scheduled according to the settings."""

    job: Job
    enabled: bool
    description: str
    next_after: Callable[[datetime], datetime | None]
    interval_minutes: int | None = None

    def is_slot(self, moment: datetime) -> bool:
        """True when ``moment`` is one of the times this plan runs at."""
        if self.interval_minutes is not None:
            return True
        return self.next_after(moment - timedelta(seconds=1)) == moment


def plans(settings_now: dict[str, Any] | None = None) -> list[Plan]:
    current = settings_now or config.current()
    scheduler, watch, backup = current["scheduler"], current["new_episodes"], current["backup"]
    days = scheduler["schedule_days"]
    day_names = "every day" if set(days) == set(WEEKDAYS) else ", ".join(days) or "no day"
    interval = int(watch["interval_minutes"])
    return [
        Plan(
            Job.RESCAN,
            bool(scheduler["enabled"]) and bool(days),
            f"{scheduler['schedule_time']} {day_names} ({settings.TIME_ZONE})",
            lambda after: next_daily_run(after, scheduler["schedule_time"], days),
        ),
        Plan(
            Job.NEW_EPISODES,
            bool(watch["enabled"]),
            f"every {interval} minutes",
            lambda after: after + timedelta(minutes=interval),
            interval_minutes=interval,
        ),
        Plan(
            Job.BACKUP,
            bool(backup["enabled"]),
            f"{backup['schedule_time']} every day ({settings.TIME_ZONE})",
            lambda after: next_daily_run(after, backup["schedule_time"], WEEKDAYS),
        ),
    ]


def declare_schedules(now: datetime | None = None) -> None:
    """Create, update or delete the django-q2 schedules so they match the settings."""
    now = now or timezone.now()
    for plan in plans():
        name = SCHEDULE_NAMES[plan.job]
        desired = plan.next_after(now) if plan.enabled else None
        if desired is None:
            Schedule.objects.filter(name=name).delete()
            continue
        schedule_type = Schedule.MINUTES if plan.interval_minutes else Schedule.DAILY
        existing = Schedule.objects.filter(name=name).first()
        next_run = desired
        if (
            existing is not None
            and existing.next_run is not None
            and existing.schedule_type == schedule_type
            and existing.minutes == plan.interval_minutes
            and now - GRACE <= existing.next_run <= desired
            and plan.is_slot(existing.next_run)
        ):
            next_run = existing.next_run  # still right; maybe due and not yet picked up
        Schedule.objects.update_or_create(
            name=name,
            defaults={
                "func": TASK,
                "args": repr(plan.job.value),
                "schedule_type": schedule_type,
                "minutes": plan.interval_minutes,
                "repeats": -1,
                "next_run": next_run,
            },
        )


def start_scheduler() -> None:
    """Start-up step: runs a crash left 'running' become failed, then the schedules."""
    count = JobRun.objects.filter(status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED, finished_at=timezone.now(), errors=["interrupted by a restart"]
    )
    if count:
        log.warning("marked %d interrupted job run(s) as failed", count)
    declare_schedules()


# --- runs ---------------------------------------------------------------------------


@dataclass
class JobOutcome:
    result: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    failed: bool = False


def parse_job(value: Any) -> Job:
    if value in Job.values:
        return Job(value)
    raise ValidationFailed(
        f"Unknown job {value!r}.", details={"job": [f"one of {', '.join(Job.values)}"]}
    )


def begin_run(job: Job, trigger: Trigger) -> JobRun:
    """Record a running job; 409 while the same job (or, for a rescan, any scan) runs."""
    if job == Job.RESCAN and ScanRun.objects.filter(status=ScanStatus.RUNNING).exists():
        raise Conflict("A library scan is already running.", code="JOB_RUNNING")
    try:
        with transaction.atomic():
            return JobRun.objects.create(job=job, trigger=trigger)
    except IntegrityError:
        raise Conflict(
            f"The {Job(job).label.lower()} is already running.",
            code="JOB_RUNNING",
            details={"job": job},
        ) from None


def start_now(job: Job) -> JobRun:
    """``POST /api/scheduler/run``: record the run and hand it to the worker."""
    run = begin_run(job, Trigger.MANUAL)
    transaction.on_commit(
        lambda: async_task("system.scheduler.execute_run", run.id, task_name=f"{job}-run-{run.id}")
    )
    return run


def run_scheduled(job: str) -> None:
    """What a django-q2 schedule calls."""
    job = Job(job)
    declare_schedules()
    if not _chosen_today(job):
        log.info("%s: not scheduled today or switched off; skipped", job)
        return
    try:
        run = begin_run(job, Trigger.SCHEDULE)
    except Conflict as exc:
        log.warning("scheduled %s skipped: %s", job, exc.message)
        return
    execute_run(run.id)


def _chosen_today(job: Job) -> bool:
    current = config.current()
    if job == Job.RESCAN:
        scheduler = current["scheduler"]
        today = WEEKDAYS[timezone.now().astimezone(local_zone()).weekday()]
        return bool(scheduler["enabled"]) and today in scheduler["schedule_days"]
    if job == Job.NEW_EPISODES:
        return bool(current["new_episodes"]["enabled"])
    return bool(current["backup"]["enabled"])


def execute_run(run_id: int) -> JobRun:
    """Carry out a recorded run and record how it ended."""
    run = JobRun.objects.get(id=run_id)
    logs.set_level(config.current()["logging"]["level"])  # the worker follows the settings
    log.info("%s run %s started (%s)", run.job, run.id, run.trigger)
    try:
        outcome = JOBS[Job(run.job)]()
    except Exception as exc:
        log.exception("%s run %s failed", run.job, run.id)
        outcome = JobOutcome(errors=[getattr(exc, "message", None) or str(exc)], failed=True)
    JobRun.objects.filter(id=run.id, status=RunStatus.RUNNING).update(
        status=RunStatus.FAILED if outcome.failed else RunStatus.COMPLETED,
        finished_at=timezone.now(),
        result=outcome.result,
        errors=outcome.errors,
    )
    run.refresh_from_db()
    level = logging.ERROR if outcome.failed else logging.INFO
    log.log(level, "%s run %s %s: %s", run.job, run.id, run.status, "; ".join(run.errors) or "ok")
    return run


def rescan_library() -> JobOutcome:
    """Scan the whole library; with ``auto_download_after_rescan``, queue what is missing."""
    scan = scanning.create_scan_run("", remote=True)
    scanning.run_scan(scan.id)
    scan.refresh_from_db()
    summary = scan.summary or {}
    outcome = JobOutcome(
        result={
            "scan_id": scan.id,
            "series": summary.get("series", 0),
            "episodes_added": summary.get("episodes_added", 0),
        },
        errors=list(scan.errors),
        failed=scan.status == ScanStatus.FAILED,
    )
    if not outcome.failed and config.current()["scheduler"]["auto_download_after_rescan"]:
        outcome.result["queued"] = queue_missing_episodes()
    outcome.result["air_dates_refresh"] = queue_air_date_refresh()
    return outcome


def queue_air_date_refresh() -> bool:
    """Ask TMDB for every matched series' episodes in the background (the calendar's air
    dates and the episode NFOs); False when no TMDB key is set."""
    if not tmdb_configured():
        return False
    async_task("nfo.tasks.refresh_air_dates", task_name="nfo-air-dates")
    return True


def queue_missing_episodes() -> list[str]:
    """Queue every missing episode of the library; returns ``["key S01E02", …]``."""
    queued: list[str] = []
    for series in Series.objects.order_by("name"):
        codes = missing_codes(series)
        if not codes:
            continue
        with transaction.atomic():
            added = add_episodes(series, codes).added
        queued += [f"{series.key} {item.episode.code}" for item in added]
    return queued


def watch_new_episodes() -> JobOutcome:
    found = watch()
    return JobOutcome(result=found.summary(), errors=found.errors)


def scheduled_backup() -> JobOutcome:
    backup = create_backup(reason="scheduled")
    return JobOutcome(result={"backup": backup.name, "size": backup.size})


JOBS: dict[Job, Callable[[], JobOutcome]] = {
    Job.RESCAN: rescan_library,
    Job.NEW_EPISODES: watch_new_episodes,
    Job.BACKUP: scheduled_backup,
}


# --- what the API and the pages show ----------------------------------------------


def run_data(run: JobRun | None) -> dict[str, Any] | None:
    """A run for the API (DRF renders the datetimes as ISO 8601) and the pages."""
    if run is None:
        return None
    return {
        "id": run.id,
        "job": run.job,
        "trigger": run.trigger,
        "status": run.status,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "duration_seconds": run.duration_seconds,
        "result": run.result,
        "errors": run.errors,
    }


def overview() -> dict[str, Any]:
    """Each schedule with its next run, the running and the last finished run."""
    current = config.current()
    rows = {s.name: s for s in Schedule.objects.filter(name__in=SCHEDULE_NAMES.values())}
    jobs = []
    for plan in plans(current):
        row = rows.get(SCHEDULE_NAMES[plan.job])
        runs = JobRun.objects.filter(job=plan.job)
        jobs.append(
            {
                "job": plan.job.value,
                "label": plan.job.label,
                "enabled": plan.enabled,
                "schedule": plan.description,
                "next_run": row.next_run if row else None,
                "running": run_data(runs.filter(status=RunStatus.RUNNING).first()),
                "last_run": run_data(runs.exclude(status=RunStatus.RUNNING).first()),
            }
        )
    return {
        "timezone": settings.TIME_ZONE,
        "scheduler": current["scheduler"],
        "new_episodes": current["new_episodes"],
        "jobs": jobs,
    }
