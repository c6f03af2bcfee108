"""Running the health checks every few minutes, so a problem is announced even when
nobody opens the System page. The checks' results reach ``connect.receivers`` through
``system.health.checks_completed``, which announces each problem once."""

from __future__ import annotations

import datetime as dt

from asgiref.sync import async_to_sync
from django.utils import timezone
from django_q.models import Schedule

from connect import notify
from system import health

SCHEDULE_NAME = "connect: health checks"
TASK = "connect.health_watch.run_health_checks"
INTERVAL_MINUTES = 5


def declare_schedule() -> None:
    """Start-up step: the schedule exists once, by name; a pending next run is kept."""
    existing = Schedule.objects.filter(name=SCHEDULE_NAME).first()
    now = timezone.now()
    next_run = now + dt.timedelta(minutes=INTERVAL_MINUTES)
    if existing is not None and existing.next_run is not None and existing.next_run > now:
        next_run = min(existing.next_run, next_run)
    Schedule.objects.update_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "func": TASK,
            "schedule_type": Schedule.MINUTES,
            "minutes": INTERVAL_MINUTES,
            "repeats": -1,
            "next_run": next_run,
        },
    )


def run_health_checks() -> bool:
    """Run the checks when someone wants to hear about problems; True when they ran."""
    if not notify.wanted("health"):
        return False
    async_to_sync(health.run_checks)()
    return True
