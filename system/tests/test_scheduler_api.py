"""GET/PATCH /api/scheduler, POST /api/scheduler/run, and what the scheduled jobs do."""

import pytest
import time_machine
from django_q.models import Schedule

from aniworld import config
from aniworld.models import Job, JobRun, RunStatus, Trigger
from downloads.models import DownloadItem
from library import catalog
from library.sync import sync_series
from system import scheduler

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("backup_dir")]


def job(body, name):
    return next(j for j in body["jobs"] if j["job"] == name)


def test_the_scheduler_shows_each_job_with_its_next_and_last_run(api):
    scheduler.declare_schedules()
    JobRun.objects.create(
        job=Job.RESCAN, status=RunStatus.FAILED, errors=["dark: HTTP 503"], result={"series": 2}
    )
    response = api.get("/api/scheduler")
    assert response.status_code == 200
    body = response.json()
    assert body["timezone"] == "UTC"
    rescan = job(body, "rescan")
    assert rescan["enabled"] is True
    assert rescan["next_run"].endswith("03:00:00Z")
    assert rescan["running"] is None
    assert rescan["last_run"]["status"] == "failed"
    assert rescan["last_run"]["errors"] == ["dark: HTTP 503"]
    assert rescan["last_run"]["started_at"]
    watch = job(body, "new_episodes")
    assert (watch["enabled"], watch["next_run"], watch["last_run"]) == (False, None, None)


def test_changing_the_time_moves_the_next_run_at_once(api):
    with time_machine.travel("2026-06-10 12:00:00Z", tick=False):
        scheduler.declare_schedules()
    assert Schedule.objects.get(name=scheduler.SCHEDULE_NAMES[Job.RESCAN]).next_run.hour == 3
    response = api.patch(
        "/api/scheduler",
        {"scheduler": {"schedule_time": "21:15"}, "new_episodes": {"enabled": True}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    rescan = job(response.json(), "rescan")
    assert rescan["next_run"].endswith("21:15:00Z")
    assert job(response.json(), "new_episodes")["next_run"] is not None
    assert config.current()["scheduler"]["schedule_time"] == "21:15"


def test_a_scheduler_change_is_checked_like_any_setting(api):
    response = api.patch("/api/scheduler", {"scheduler": {"schedule_time": "9"}}, format="json")
    assert response.status_code == 422
    assert list(response.json()["details"]) == ["scheduler.schedule_time"]
    response = api.patch("/api/scheduler", {"logging": {"level": "DEBUG"}}, format="json")
    assert response.status_code == 422
    assert list(response.json()["details"]) == ["logging"]


def test_run_now_is_refused_while_the_job_runs(api):
    JobRun.objects.create(job=Job.RESCAN, trigger=Trigger.SCHEDULE)
    response = api.post("/api/scheduler/run", {}, format="json")  # rescan by default
    assert response.status_code == 409
    assert response.json()["error"] == "JOB_RUNNING"
    assert JobRun.objects.filter(job=Job.RESCAN).count() == 1


def test_an_unknown_job_is_refused(api):
    response = api.post("/api/scheduler/run", {"job": "defragment"}, format="json")
    assert response.status_code == 422
    assert list(response.json()["details"]) == ["job"]


@pytest.mark.django_db(transaction=True)
def test_run_now_runs_the_job_in_the_worker_and_records_the_run(api, backup_dir):
    response = api.post("/api/scheduler/run", {"job": "backup"}, format="json")
    assert response.status_code == 202
    run = JobRun.objects.get(id=response.json()["id"])
    assert (run.job, run.trigger, run.status) == ("backup", "manual", "completed")
    assert run.finished_at >= run.started_at
    assert (backup_dir / run.result["backup"]).is_file()
    last = job(api.get("/api/scheduler").json(), "backup")["last_run"]
    assert last["id"] == run.id
    assert last["duration_seconds"] is not None


def test_a_run_left_running_by_a_crash_is_failed_at_the_next_start():
    JobRun.objects.create(job=Job.NEW_EPISODES)
    scheduler.start_scheduler()
    run = JobRun.objects.get()
    assert (run.status, run.errors) == ("failed", ["interrupted by a restart"])


@pytest.fixture
def library(library_root, aniworld_site):
    """Two series with their episodes loaded; one episode of each on disk."""
    titan = catalog.add_series("aniworld.to", "attack-on-titan")
    hells = catalog.add_series("aniworld.to", "hells-paradise")
    for series, name in ((titan, "Attack on Titan"), (hells, "Hell's Paradise")):
        sync_series(series)
        season = library_root / series.folder / "Season 01"
        season.mkdir(parents=True)
        (season / f"{name} - S01E01.mp4").write_bytes(b"video")
    return titan, hells


def queued_codes():
    return sorted(
        (item.episode.series.key, item.episode.season, item.episode.number)
        for item in DownloadItem.objects.select_related("episode__series")
    )


def test_a_scheduled_rescan_with_auto_download_queues_exactly_the_missing_episodes(library):
    config.store().update({"scheduler": {"auto_download_after_rescan": True}})
    scheduler.run_scheduled("rescan")
    run = JobRun.objects.get()
    assert (run.job, run.trigger, run.status, run.errors) == ("rescan", "schedule", "completed", [])
    # On disk: S01E01 of both. Not offered yet: Attack on Titan S01E03 (announced).
    assert queued_codes() == [
        ("attack-on-titan", 0, 1),
        ("attack-on-titan", 1, 2),
        ("attack-on-titan", 2, 1),
        ("hells-paradise", 1, 2),
    ]
    assert run.result["queued"] == [
        "attack-on-titan S00E01",
        "attack-on-titan S01E02",
        "attack-on-titan S02E01",
        "hells-paradise S01E02",
    ]
    assert run.result["series"] == 2
    scheduler.run_scheduled("rescan")  # a second rescan queues nothing twice
    assert len(queued_codes()) == 4


def test_a_scheduled_rescan_without_auto_download_queues_nothing(library):
    scheduler.run_scheduled("rescan")
    assert JobRun.objects.get().status == "completed"
    assert queued_codes() == []


def test_a_scheduled_rescan_does_nothing_on_a_day_that_is_not_chosen(library):
    config.store().update({"scheduler": {"schedule_days": ["sun"]}})
    with time_machine.travel("2026-06-10 03:00:00Z", tick=False):  # a Wednesday
        scheduler.run_scheduled("rescan")
    assert not JobRun.objects.exists()


def test_a_failing_rescan_is_recorded_with_its_error(library_root, monkeypatch):
    # A missing root is created; one under a file cannot be.
    blocker = library_root / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ANIME_DIRECTORY", str(blocker / "anime"))
    scheduler.run_scheduled("rescan")
    run = JobRun.objects.get()
    assert run.status == "failed"
    assert "cannot be created" in run.errors[0]
