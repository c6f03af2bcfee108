"""GET/PATCH /api/config and POST /api/config/validate."""

import json
import logging

import pytest
from django.conf import settings

from aniworld import config
from system import backups

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("backup_dir")]


def on_disk() -> dict:
    return json.loads(settings.ANIWORLD_CONFIG_FILE.read_text())


def test_reading_the_settings_never_shows_the_password_hash_or_the_tmdb_key(api):
    config.store().update({"tmdb": {"api_key": "secret-key"}})
    response = api.get("/api/config")
    assert response.status_code == 200
    body = response.json()
    assert "master_password_hash" not in body["other"]
    assert "secret-key" not in response.content.decode()
    assert body["tmdb"]["api_key"] is None
    assert body["meta"]["tmdb_api_key_set"] is True
    assert body["scheduler"]["schedule_time"] == "03:00"
    assert body["downloads"]["language_order"] == ["german-dub", "german-sub", "english-sub"]
    assert len(body["meta"]["naming_preview"]) == 3


def test_a_change_merges_nested_objects_and_is_written_to_config_json(api, library_root):
    response = api.patch("/api/config", {"scheduler": {"schedule_time": "05:30"}}, format="json")
    assert response.status_code == 200, response.json()
    response = api.patch(
        "/api/config",
        {
            "scheduler": {"schedule_days": ["mon", "fri"]},
            "downloads": {"language_order": ["english-sub", "german-sub"], "episode_padding": 3},
            "sites": {"aniworld_url": "https://mirror.example"},
            "new_episodes": {"enabled": True, "interval_minutes": 30},
        },
        format="json",
    )
    body = response.json()
    assert body["scheduler"]["schedule_time"] == "05:30"
    assert body["scheduler"]["schedule_days"] == ["mon", "fri"]
    assert body["meta"]["naming_preview"][0].endswith("S01E001 - To You, in 2000 Years.mp4")
    stored = on_disk()
    assert stored["scheduler"] == {"schedule_time": "05:30", "schedule_days": ["mon", "fri"]}
    assert stored["downloads"]["language_order"] == ["english-sub", "german-sub"]
    assert stored["new_episodes"] == {"enabled": True, "interval_minutes": 30}


def test_the_settings_file_is_replaced_atomically_not_rewritten_in_place(api):
    api.patch("/api/config", {"logging": {"level": "INFO"}}, format="json")
    before = settings.ANIWORLD_CONFIG_FILE.stat().st_ino
    api.patch("/api/config", {"logging": {"level": "WARNING"}}, format="json")
    assert settings.ANIWORLD_CONFIG_FILE.stat().st_ino != before  # a new file, renamed over
    assert on_disk()["logging"] == {"level": "WARNING"}
    leftovers = [p.name for p in settings.ANIWORLD_CONFIG_FILE.parent.glob(".config.json.*")]
    assert leftovers == []


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("scheduler", "schedule_time", "25:00"),
        ("scheduler", "schedule_days", ["funday"]),
        ("scheduler", "enabled", "yes"),
        ("scheduler", "auto_download_after_rescan", 1),
        ("logging", "level", "LOUD"),
        ("backup", "keep", 0),
        ("backup", "schedule_time", "4am"),
        ("backup", "enabled", "sometimes"),
        ("backup", "path", "relative/backups"),
        ("downloads", "language_order", ["klingon"]),
        ("downloads", "language_order", ["german-dub", "german-dub"]),
        ("downloads", "language_order", []),
        ("downloads", "hoster_order", ["VOE", "VOE"]),
        ("downloads", "hoster_order", ["Megaupload"]),
        ("downloads", "episode_padding", 4),
        ("downloads", "min_free_space_gb", -1),
        ("downloads", "min_free_space_gb", "lots"),
        ("downloads", "naming_template", "{series} - {title}"),
        ("downloads", "naming_template", "../Season {season}/{episode}"),
        ("downloads", "naming_template", "/abs/{season}{episode}"),
        ("downloads", "naming_template", "S{season}E{episode} {resolution}"),
        ("sites", "aniworld_urls", ["ftp://aniworld.to"]),
        ("sites", "aniworld_urls", ["https://aniworld.to", "https://aniworld.to/"]),
        ("sites", "sto_urls", "https://serienstream.to"),
        ("sites", "sto_urls", []),
        ("sites", "sto_urls", ["serienstream.to"]),
        ("tmdb", "api_key", 12345),
        ("new_episodes", "interval_minutes", 1),
        ("new_episodes", "enabled", "on"),
        ("other", "anime_directory", "relative/anime"),
        ("other", "anime_directory", "/no/such/folder/anywhere"),
    ],
)
def test_an_invalid_value_is_refused_with_422_naming_its_field(api, section, key, value):
    config.store().update({"logging": {"level": "INFO"}})
    before = settings.ANIWORLD_CONFIG_FILE.read_bytes()
    response = api.patch("/api/config", {section: {key: value}}, format="json")
    assert response.status_code == 422, response.json()
    body = response.json()
    assert body["error"] == "VALIDATION_ERROR"
    assert list(body["details"]) == [f"{section}.{key}"]
    assert settings.ANIWORLD_CONFIG_FILE.read_bytes() == before
    assert backups.list_backups() == []  # nothing changed, nothing backed up


def test_a_naming_template_reports_every_problem(api):
    response = api.patch(
        "/api/config", {"downloads": {"naming_template": "{series}/{nope}"}}, format="json"
    )
    problems = response.json()["details"]["downloads.naming_template"]
    assert any("Unknown token {nope}" in p for p in problems)
    assert any("{season}" in p for p in problems)
    assert any("{episode}" in p for p in problems)


def test_the_library_directory_must_exist_and_be_writable(api, tmp_path, read_only_dir):
    response = api.patch(
        "/api/config", {"other": {"anime_directory": str(read_only_dir)}}, format="json"
    )
    assert response.json()["details"] == {"other.anime_directory": ["is read-only"]}
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    response = api.patch("/api/config", {"other": {"anime_directory": str(a_file)}}, format="json")
    assert response.json()["details"] == {"other.anime_directory": ["is not a folder"]}
    good = tmp_path / "anime"
    good.mkdir()
    response = api.patch("/api/config", {"other": {"anime_directory": str(good)}}, format="json")
    assert response.status_code == 200
    assert response.json()["other"]["anime_directory"] == str(good)


def test_the_password_hash_and_unknown_keys_cannot_be_set(api):
    response = api.patch(
        "/api/config",
        {"other": {"master_password_hash": "pbkdf2$x"}, "colour": "red", "tmdb": {"region": "DE"}},
        format="json",
    )
    assert response.status_code == 422
    assert set(response.json()["details"]) == {
        "other.master_password_hash",
        "colour",
        "tmdb.region",
    }
    assert on_disk()["other"]["master_password_hash"].startswith("pbkdf2")


def test_values_fixed_by_the_environment_are_read_only(api, monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    body = api.get("/api/config").json()
    assert body["logging"]["level"] == "DEBUG"
    assert body["meta"]["read_only"]["logging.level"] == "LOG_LEVEL"
    response = api.patch("/api/config", {"logging": {"level": "ERROR"}}, format="json")
    assert response.status_code == 422
    assert "LOG_LEVEL" in response.json()["details"]["logging.level"][0]
    # Sending back what GET answered (a round trip of the whole object) is fine.
    assert api.patch("/api/config", body, format="json").status_code == 200


@pytest.mark.usefixtures("root_log_level")
def test_a_new_log_level_takes_effect_at_once(api):
    response = api.patch("/api/config", {"logging": {"level": "error"}}, format="json")
    assert response.json()["logging"]["level"] == "ERROR"
    assert logging.getLogger().level == logging.ERROR
    assert logging.getLogger("aniworld").getEffectiveLevel() == logging.ERROR


def test_a_null_tmdb_key_keeps_the_stored_one_and_an_empty_one_removes_it(api):
    api.patch("/api/config", {"tmdb": {"api_key": "abc123"}}, format="json")
    api.patch("/api/config", {"tmdb": {"api_key": None}}, format="json")
    assert config.current()["tmdb"]["api_key"] == "abc123"
    body = api.patch("/api/config", {"tmdb": {"api_key": ""}}, format="json").json()
    assert config.current()["tmdb"]["api_key"] == ""
    assert body["meta"]["tmdb_api_key_set"] is False


def test_validate_checks_a_change_without_saving_it(api):
    before = settings.ANIWORLD_CONFIG_FILE.read_bytes()
    response = api.post(
        "/api/config/validate",
        {"downloads": {"naming_template": "{series} {season}x{episode}", "episode_padding": 3}},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["naming_preview"] == [
        "Attack on Titan 01x001.mp4",
        "Re-Zero - Starting Life in Another World 02x013.mp4",
        "Demon Slayer - Kimetsu no Yaiba 00x001.mp4",
    ]
    assert settings.ANIWORLD_CONFIG_FILE.read_bytes() == before
    response = api.post("/api/config/validate", {"logging": {"level": "LOUD"}}, format="json")
    assert response.status_code == 422
    assert list(response.json()["details"]) == ["logging.level"]


def test_every_change_is_backed_up_before_it_is_written(api):
    config.store().update({"logging": {"level": "WARNING"}})
    old = settings.ANIWORLD_CONFIG_FILE.read_bytes()
    api.patch("/api/config", {"logging": {"level": "ERROR"}}, format="json")
    (backup,) = backups.list_backups()
    assert backup.reason == "before a settings change"
    import zipfile

    with zipfile.ZipFile(backups.path_of(backup.name)) as archive:
        assert archive.read("config.json") == old
    api.patch("/api/config", {"logging": {"level": "ERROR"}}, format="json")
    assert len(backups.list_backups()) == 1  # no change, no backup


def test_a_change_is_refused_when_the_backup_before_it_cannot_be_written(
    api, settings, read_only_dir
):
    settings.BACKUP_DIR = read_only_dir / "backups"
    response = api.patch("/api/config", {"logging": {"level": "ERROR"}}, format="json")
    assert response.status_code == 507
    assert response.json()["error"] == "BACKUP_FAILED"
    assert config.current()["logging"]["level"] == "INFO"


def test_the_library_directory_must_not_overlap_the_temp_dir(api, settings):
    response = api.patch(
        "/api/config", {"other": {"anime_directory": str(settings.TEMP_DIR)}}, format="json"
    )
    assert response.status_code == 422
    (problem,) = response.json()["details"]["other.anime_directory"]
    assert problem.startswith(
        f"overlaps the temp dir {settings.TEMP_DIR}, which is the same folder"
    )
