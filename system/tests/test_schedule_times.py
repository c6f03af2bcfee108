"""When the schedules run next: across days, chosen weekdays and daylight-saving changes."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_q.models import Schedule

from aniworld import config
from aniworld.models import Job
from system import scheduler

BERLIN = ZoneInfo("Europe/Berlin")
EVERY_DAY = list(config.WEEKDAYS)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def berlin(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def test_the_next_run_is_today_when_the_time_has_not_come_yet():
    after = berlin("2026-06-10 01:00")
    assert scheduler.next_daily_run(after, "03:00", EVERY_DAY, BERLIN) == berlin("2026-06-10 03:00")


def test_the_next_run_is_tomorrow_once_the_time_has_passed():
    after = berlin("2026-06-10 03:00")  # exactly at the time: that run is the current one
    assert scheduler.next_daily_run(after, "03:00", EVERY_DAY, BERLIN) == berlin("2026-06-11 03:00")


def test_the_next_run_skips_days_that_are_not_chosen():
    wednesday_evening = berlin("2026-06-10 22:00")
    assert scheduler.next_daily_run(wednesday_evening, "03:00", ["mon"], BERLIN) == berlin(
        "2026-06-15 03:00"
    )
    monday_late = berlin("2026-06-15 04:00")  # only Mondays, and Monday's run is over
    assert scheduler.next_daily_run(monday_late, "03:00", ["mon"], BERLIN) == berlin(
        "2026-06-22 03:00"
    )


def test_no_chosen_day_means_no_next_run():
    assert scheduler.next_daily_run(berlin("2026-06-10 01:00"), "03:00", [], BERLIN) is None


def test_the_local_time_holds_across_the_spring_daylight_saving_change():
    # Berlin moves from UTC+1 to UTC+2 on 29 March 2026 at 02:00.
    first = scheduler.next_daily_run(utc("2026-03-28 12:00"), "04:00", EVERY_DAY, BERLIN)
    second = scheduler.next_daily_run(first, "04:00", EVERY_DAY, BERLIN)
    assert first == utc("2026-03-29 02:00")  # 04:00 CEST
    assert second == utc("2026-03-30 02:00")
    before = scheduler.next_daily_run(utc("2026-03-27 12:00"), "04:00", EVERY_DAY, BERLIN)
    assert before == utc("2026-03-28 03:00")  # 04:00 CET: 23 hours before the next one


def test_the_local_time_holds_across_the_autumn_daylight_saving_change():
    # Berlin moves from UTC+2 back to UTC+1 on 25 October 2026 at 03:00.
    first = scheduler.next_daily_run(utc("2026-10-24 12:00"), "04:00", EVERY_DAY, BERLIN)
    second = scheduler.next_daily_run(first, "04:00", EVERY_DAY, BERLIN)
    assert first == utc("2026-10-25 03:00")  # 04:00 CET
    assert second == utc("2026-10-26 03:00")
    assert first.astimezone(BERLIN).hour == second.astimezone(BERLIN).hour == 4


def test_a_time_skipped_by_the_spring_change_runs_an_hour_later_and_once():
    moment = scheduler.next_daily_run(utc("2026-03-28 12:00"), "02:30", EVERY_DAY, BERLIN)
    assert moment.astimezone(BERLIN) == berlin("2026-03-29 03:30")
    autumn = scheduler.next_daily_run(utc("2026-10-24 12:00"), "02:30", EVERY_DAY, BERLIN)
    after_it = scheduler.next_daily_run(autumn, "02:30", EVERY_DAY, BERLIN)
    assert autumn == utc("2026-10-25 00:30")  # the first of the two 02:30s
    assert after_it == utc("2026-10-26 01:30")  # not the second 02:30 of the same night


@pytest.fixture
def in_berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


def rescan_schedule() -> Schedule:
    return Schedule.objects.get(name=scheduler.SCHEDULE_NAMES[Job.RESCAN])


@pytest.mark.django_db
@pytest.mark.usefixtures("in_berlin")
def test_the_declared_rescan_runs_at_the_local_time_on_the_chosen_days():
    config.store().update({"scheduler": {"schedule_time": "03:00", "schedule_days": ["sat"]}})
    with time_machine.travel(utc("2026-03-25 12:00"), tick=False):  # a Wednesday
        scheduler.declare_schedules()
        scheduler.declare_schedules()  # idempotent: still one schedule, same time
    schedule = rescan_schedule()
    assert Schedule.objects.filter(name=schedule.name).count() == 1
    assert schedule.func == "system.scheduler.run_scheduled"
    assert schedule.args == "'rescan'"
    assert schedule.next_run == berlin("2026-03-28 03:00")
    # After that run the clocks change: next Saturday's 03:00 is UTC+2.
    with time_machine.travel(utc("2026-03-28 12:00"), tick=False):
        scheduler.declare_schedules()
    assert rescan_schedule().next_run == utc("2026-04-04 01:00")


@pytest.mark.django_db
@pytest.mark.usefixtures("in_berlin")
def test_a_due_run_the_worker_has_not_picked_up_yet_is_kept():
    with time_machine.travel(utc("2026-06-09 12:00"), tick=False):
        scheduler.declare_schedules()
    assert rescan_schedule().next_run == berlin("2026-06-10 03:00")
    with time_machine.travel(berlin("2026-06-10 03:00:20"), tick=False):
        scheduler.declare_schedules()  # e.g. a settings change 20 s after the time
    assert rescan_schedule().next_run == berlin("2026-06-10 03:00")


@pytest.mark.django_db
@pytest.mark.usefixtures("in_berlin")
def test_a_run_missed_while_the_app_was_down_is_not_caught_up():
    with time_machine.travel(utc("2026-06-09 12:00"), tick=False):
        scheduler.declare_schedules()
    with time_machine.travel(berlin("2026-06-12 09:00"), tick=False):  # restarted days later
        scheduler.declare_schedules()
    assert rescan_schedule().next_run == berlin("2026-06-13 03:00")


@pytest.mark.django_db
def test_switched_off_schedules_are_removed_and_the_watch_runs_on_its_interval():
    with time_machine.travel(utc("2026-06-09 12:00"), tick=False):
        config.store().update(
            {
                "scheduler": {"enabled": False},
                "new_episodes": {"enabled": True, "interval_minutes": 30},
                "backup": {"enabled": True, "schedule_time": "04:30"},
            }
        )
        scheduler.declare_schedules()
    names = set(Schedule.objects.values_list("name", flat=True))
    assert names == {
        scheduler.SCHEDULE_NAMES[Job.NEW_EPISODES],
        scheduler.SCHEDULE_NAMES[Job.BACKUP],
    }
    watch = Schedule.objects.get(name=scheduler.SCHEDULE_NAMES[Job.NEW_EPISODES])
    assert (watch.schedule_type, watch.minutes) == (Schedule.MINUTES, 30)
    assert watch.next_run == utc("2026-06-09 12:30")
    backup = Schedule.objects.get(name=scheduler.SCHEDULE_NAMES[Job.BACKUP])
    assert backup.next_run == utc("2026-06-10 04:30")  # TIME_ZONE is UTC here


@pytest.mark.django_db
def test_a_schedule_stored_before_the_scheduler_moved_apps_names_its_new_home_after_start():
    """Databases from before the ``system`` app hold ``aniworld.scheduler.run_scheduled``,
    which no longer imports; the start-up step declares the schedules again by name."""
    config.store().update({"scheduler": {"schedule_time": "03:00"}})
    Schedule.objects.create(
        name=scheduler.SCHEDULE_NAMES[Job.RESCAN],
        func="aniworld.scheduler.run_scheduled",
        args="'rescan'",
        schedule_type=Schedule.DAILY,
        repeats=-1,
    )
    scheduler.start_scheduler()
    assert rescan_schedule().func == "system.scheduler.run_scheduled"
    assert Schedule.objects.filter(func__startswith="aniworld.scheduler").count() == 0
