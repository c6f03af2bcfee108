"""The periodic health checks that announce problems nobody is looking at."""

import pytest
from django_q.models import Schedule

from connect.health_watch import SCHEDULE_NAME, declare_schedule, run_health_checks

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_schedule_is_declared_once_however_often_the_app_starts():
    declare_schedule()
    first = Schedule.objects.get(name=SCHEDULE_NAME)
    declare_schedule()

    [schedule] = Schedule.objects.filter(name=SCHEDULE_NAME)
    assert schedule.func == "connect.health_watch.run_health_checks"
    assert schedule.minutes == 5
    assert schedule.next_run == first.next_run


def test_a_broken_library_folder_is_announced_by_the_periodic_checks(
    tmp_path, monkeypatch, apprise_target, set_connect
):
    monkeypatch.setenv("ANIME_DIRECTORY", str(tmp_path / "gone"))
    set_connect(notify_urls=[apprise_target.apprise_url], notify_on=["health"])

    assert run_health_checks()
    assert run_health_checks()

    titles = [message["title"] for message in apprise_target.messages]
    assert titles.count("Health problem: Library folder") == 1
    [library] = [m for m in apprise_target.messages if m["title"].endswith("Library folder")]
    assert "library directory missing" in library["message"]


def test_without_health_notifications_the_checks_do_not_run(apprise_target, set_connect):
    set_connect(notify_urls=[apprise_target.apprise_url], notify_on=["download_failed"])
    assert not run_health_checks()
    assert apprise_target.messages == []
