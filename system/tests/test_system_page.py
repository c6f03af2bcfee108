"""The System page and the logs view."""

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.db import connection

from aniworld.env import LOG_LEVELS
from aniworld.models import Job, JobRun, RunStatus
from system import scheduler
from system import status as system_status

pytestmark = pytest.mark.django_db

LOG = """\
2026-06-10 03:00:00,001 INFO    [12] system.scheduler [-] rescan run 1 started (schedule)
2026-06-10 03:00:01,002 DEBUG   [12] library.sync [-] refreshing dark
2026-06-10 03:00:02,003 WARNING [12] library.sync [-] refreshing dark from s.to failed: HTTP 503
2026-06-10 03:00:03,004 ERROR   [12] django.request [ab12] Internal Server Error: /api/anime/
Traceback (most recent call last):
  File "x.py", line 1, in <module>
ZeroDivisionError: division by zero
2026-06-10 03:00:04,005 INFO    [12] system.scheduler [-] rescan run 1 completed: ok
"""


@pytest.fixture
def log_file(log_dir):
    path = log_dir / "aniworld.log"
    path.write_text(LOG)
    return path


def page(response):
    return BeautifulSoup(response.content, "lxml")


@pytest.mark.parametrize("path", ["/system/", "/system/logs", "/system/logs/download"])
def test_the_system_pages_need_a_login(client, configured, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.usefixtures("log_file")
def test_the_system_page_says_what_runs_and_what_went_wrong(owner_client, library_root):
    scheduler.declare_schedules()
    JobRun.objects.create(
        job=Job.NEW_EPISODES, status=RunStatus.FAILED, errors=["aniworld.to: HTTP 503"]
    )
    response = owner_client.get("/system/")
    assert response.status_code == 200
    text = page(response).get_text(" ")
    assert "0.1.0" in text
    assert "Running since" in text
    assert connection.vendor in text  # sqlite, or postgresql in the services run
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1] in text
    assert "worker not running" in text
    assert "Daily rescan 03:00 every day (UTC)" in " ".join(text.split())
    assert "aniworld.to: HTTP 503" in text  # a failed run
    assert "ZeroDivisionError" in text  # an ERROR record of the log
    free = page(response).select("#disks-title ~ dl progress")
    assert len(free) == 3  # library, temp, data


def test_the_status_reports_the_database_and_uptime():
    status = system_status.status()
    assert status["database"]["vendor"] == connection.vendor
    assert status["uptime_seconds"] >= 0
    assert {check["name"] for check in status["checks"]} >= {"database", "worker", "library"}


@pytest.mark.usefixtures("log_file")
def test_the_logs_view_shows_the_tail_from_the_chosen_level_up(owner_client):
    response = owner_client.get("/system/logs?level=WARNING")
    assert response.status_code == 200
    records = [pre.get_text() for pre in page(response).select("#log-records pre")]
    assert len(records) == 2
    assert "failed: HTTP 503" in records[0]
    assert records[1].endswith("ZeroDivisionError: division by zero")  # with its traceback
    everything = page(owner_client.get("/system/logs?level=DEBUG")).select("#log-records pre")
    assert len(everything) == 5


@pytest.mark.usefixtures("log_file")
def test_the_level_filter_swaps_only_the_records_for_htmx(owner_client):
    response = owner_client.get(
        "/system/logs?level=ERROR", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="log-records"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="log-records"')
    assert "<html" not in html
    assert html.count("<pre>") == 1


def test_the_log_file_can_be_downloaded(owner_client, log_file):
    response = owner_client.get("/system/logs/download")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="aniworld.log"'
    assert b"".join(response.streaming_content).decode() == LOG


def test_without_a_log_file_the_view_is_empty_and_the_download_a_404(owner_client, log_dir):
    assert "No log records" in owner_client.get("/system/logs").content.decode()
    assert owner_client.get("/system/logs/download").status_code == 404


def test_only_the_end_of_a_large_log_is_read(log_dir, monkeypatch):
    monkeypatch.setattr(system_status, "TAIL_BYTES", 300)
    (log_dir / "aniworld.log").write_text("x" * 10_000 + "\n" + LOG)
    records = system_status.tail_records(min_level="DEBUG")
    assert records[-1].text.endswith("rescan run 1 completed: ok")
    assert all(record.level in LOG_LEVELS for record in records)
