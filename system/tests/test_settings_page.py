"""The Settings page: sections, inline errors from the API's checks, changes in effect at once."""

import json
import logging

import pytest
from bs4 import BeautifulSoup

from aniworld import config
from aniworld.models import Job, JobRun
from system import backups

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("backup_dir")]

HTMX = {"HTTP_HX_REQUEST": "true"}


def soup(response):
    return BeautifulSoup(response.content, "lxml")


def test_the_settings_page_needs_a_login(client, configured):
    response = client.get("/settings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_settings_page_shows_every_section_with_the_current_values(owner_client):
    config.store().update({"scheduler": {"schedule_time": "05:45"}})
    response = owner_client.get("/settings/")
    assert response.status_code == 200
    page = soup(response)
    titles = [h.get_text() for h in page.select("section.card > h2.card-title")]
    assert titles[:6] == ["Library", "Downloads", "Metadata", "Scheduler", "Logging", "Backups"]
    assert "API key and calendar feed" in titles
    assert "Change master password" in titles
    assert page.select_one("#id_scheduler-schedule_time")["value"] == "05:45"
    assert page.select_one("#id_downloads-language_1 option[selected]")["value"] == "german-dub"
    assert len(page.select("#naming-preview li")) == 3
    assert page.select_one("script:not([src])") is None  # strict CSP: no inline scripts
    assert page.select_one("[style]") is None


def test_an_invalid_value_is_shown_next_to_its_field_and_nothing_is_saved(owner_client):
    before = config.current()
    response = owner_client.post(
        "/settings/scheduler",
        {
            "scheduler-enabled": "on",
            "scheduler-schedule_time": "25:99",
            "scheduler-schedule_days": ["mon"],
            "scheduler-interval_minutes": "2",
        },
        **HTMX,
    )
    assert response.status_code == 200
    section = soup(response).select_one("#section-scheduler")
    time_field = section.select_one("#id_scheduler-schedule_time")
    assert time_field["aria-invalid"] == "true"
    errors = [li.get_text() for li in section.select(".field-error li")]
    assert 'must be a time "HH:MM" (24 hours)' in errors
    assert "must be a whole number from 5 to 1440" in errors
    assert json.loads(response["HX-Trigger"])["toast"]["kind"] == "error"
    assert config.current() == before


def test_a_valid_section_is_saved_and_takes_effect_without_a_restart(owner_client, root_log_level):
    response = owner_client.post("/settings/logging", {"logging-level": "WARNING"}, **HTMX)
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"])["toast"]["message"] == "Logging settings saved."
    assert config.current()["logging"]["level"] == "WARNING"
    assert logging.getLogger().level == logging.WARNING
    assert [b.reason for b in backups.list_backups()] == ["before a settings change"]


def test_the_backup_settings_are_saved_and_declare_the_backup_schedule(owner_client, tmp_path):
    from django_q.models import Schedule

    response = owner_client.post(
        "/settings/backup",
        {
            "backup-enabled": "on",
            "backup-schedule_time": "02:30",
            "backup-keep": "7",
            "backup-path": str(tmp_path / "elsewhere"),
        },
        **HTMX,
    )
    assert json.loads(response["HX-Trigger"])["toast"]["kind"] == "success"
    stored = config.current()["backup"]
    assert stored == {
        "enabled": True,
        "path": str(tmp_path / "elsewhere"),
        "keep": 7,
        "schedule_time": "02:30",
    }
    assert Schedule.objects.get(name="aniworld: scheduled backup").next_run.minute == 30
    response = owner_client.post("/settings/backup", {"backup-keep": "many"}, **HTMX)
    keep_errors = soup(response).select("#id_backup-keep_error li")
    assert [li.get_text() for li in keep_errors] == ["must be a whole number from 1 to 1000"]


def test_the_library_section_checks_the_folder_and_the_template(owner_client, tmp_path):
    response = owner_client.post(
        "/settings/library",
        {
            "library-anime_directory": str(tmp_path / "missing"),
            "library-naming_template": "{series}",
            "library-episode_padding": "2",
        },
        **HTMX,
    )
    section = soup(response).select_one("#section-library")
    folder_errors = section.select("#id_library-anime_directory_error li")
    assert [li.get_text() for li in folder_errors] == ["does not exist"]
    template_errors = [
        li.get_text() for li in section.select("#id_library-naming_template_error li")
    ]
    assert any("{season}" in text for text in template_errors)


def test_the_download_order_is_saved_from_the_choice_lists(owner_client):
    owner_client.post(
        "/settings/downloads",
        {
            "downloads-language_1": "english-sub",
            "downloads-language_2": "german-dub",
            "downloads-hoster_1": "Vidoza",
            "downloads-hoster_2": "VOE",
            "downloads-min_free_space_gb": "5.5",
        },
        **HTMX,
    )
    downloads = config.current()["downloads"]
    assert downloads["language_order"] == ["english-sub", "german-dub"]
    assert downloads["hoster_order"] == ["Vidoza", "VOE"]
    assert downloads["min_free_space_gb"] == 5.5
    response = owner_client.post(
        "/settings/downloads",
        {"downloads-language_1": "german-dub", "downloads-language_2": "german-dub"},
        **HTMX,
    )
    error = soup(response).select_one("#section-downloads .field-error li")
    assert error.get_text().startswith("must list distinct languages")


def test_an_empty_tmdb_field_keeps_the_key_and_the_key_is_never_shown(owner_client):
    config.store().update({"tmdb": {"api_key": "s3cret"}})
    data = {
        "metadata-aniworld_urls": "https://aniworld.to",
        "metadata-sto_urls": "https://serienstream.to\nhttps://serienstream.cx",
    }
    response = owner_client.post("/settings/metadata", data, **HTMX)
    assert config.current()["tmdb"]["api_key"] == "s3cret"
    assert b"s3cret" not in response.content
    owner_client.post("/settings/metadata", {**data, "metadata-remove_tmdb_key": "on"}, **HTMX)
    assert config.current()["tmdb"]["api_key"] == ""


def test_values_fixed_by_the_environment_are_shown_read_only(owner_client, monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    page = soup(owner_client.get("/settings/"))
    level = page.select_one("#id_logging-level")
    assert level.has_attr("disabled")
    assert "LOG_LEVEL" in page.select_one("#id_logging-level_helptext").get_text()


def test_without_javascript_a_save_redirects_back_to_the_page(owner_client):
    response = owner_client.post("/settings/logging", {"logging-level": "INFO"})
    assert response.status_code == 302
    assert response["Location"] == "/settings/#section-logging"
    response = owner_client.post("/settings/logging", {"logging-level": "LOUD"})
    assert response.status_code == 422


def test_the_naming_preview_follows_the_template_being_typed(owner_client):
    response = owner_client.post(
        "/settings/preview",
        {"library-naming_template": "{series} {season}x{episode}", "library-episode_padding": "3"},
        **HTMX,
    )
    names = [li.get_text() for li in soup(response).select("li")]
    assert names[0] == "Attack on Titan 01x001.mp4"
    response = owner_client.post("/settings/preview", {"library-naming_template": "{nope}"}, **HTMX)
    assert "Unknown token {nope}" in response.content.decode()


def test_backups_are_made_restored_and_deleted_from_the_page(owner_client):
    response = owner_client.post("/settings/backups", {"action": "create"}, **HTMX)
    (backup,) = backups.list_backups()
    assert backup.name in response.content.decode()
    config.store().update({"logging": {"level": "ERROR"}})
    response = owner_client.post(
        "/settings/backups", {"action": "restore", "name": backup.name}, **HTMX
    )
    assert response["HX-Refresh"] == "true"
    assert config.current()["logging"]["level"] == "INFO"
    download = owner_client.get(f"/settings/backups/{backup.name}/download")
    assert download["Content-Disposition"].startswith("attachment")
    owner_client.post("/settings/backups", {"action": "delete", "name": backup.name}, **HTMX)
    assert backup.name not in [b.name for b in backups.list_backups()]
    response = owner_client.post(
        "/settings/backups", {"action": "restore", "name": "../../etc/passwd"}, **HTMX
    )
    assert json.loads(response["HX-Trigger"])["toast"]["kind"] == "error"


def test_run_now_from_the_page_is_refused_while_the_job_runs(owner_client):
    JobRun.objects.create(job=Job.RESCAN)
    response = owner_client.post("/settings/schedules", {"job": "rescan"}, **HTMX)
    assert "already running" in soup(response).select_one(".form-errors").get_text()
    assert soup(response).select_one('[hx-trigger="every 2s"]') is not None  # polls


def test_trying_failing_hosters_last_is_on_by_default_and_can_be_switched_off(owner_client):
    page = soup(owner_client.get("/settings/"))
    assert page.select_one("#id_downloads-hoster_order_auto").has_attr("checked")

    owner_client.post(
        "/settings/downloads",
        {
            "downloads-language_1": "german-dub",
            "downloads-hoster_1": "VOE",
            "downloads-min_free_space_gb": "2",
        },
        **HTMX,
    )

    assert config.current()["downloads"]["hoster_order_auto"] is False
