"""Settings are read in a fresh interpreter, as at a real start."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

SNIPPET = (
    "import django, json; django.setup(); from django.conf import settings; "
    "from aniworld import config; c = config.current(); "
    "print(json.dumps({'log_level': settings.LOG_LEVEL, 'site': settings.ANIWORLD_SITE_URL, "
    "'anime_directory': c['other']['anime_directory'], 'secret': settings.SECRET_KEY}))"
)


def start(tmp_path, env=None, config_file=None):
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    if config_file is not None:
        (data / "config.json").write_text(json.dumps(config_file))
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in ("LOG_LEVEL", "ANIME_DIRECTORY", "ANIWORLD_SITE_URL", "DEBUG")
    }
    environ.update(
        DJANGO_SETTINGS_MODULE="aniworld.settings",
        ANIWORLD_DATA_DIR=str(data),
        ANIWORLD_TEMP_DIR=str(tmp_path / "temp"),
        **(env or {}),
    )
    return subprocess.run(
        [sys.executable, "-c", SNIPPET],
        cwd=settings.BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def values(result):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults_apply_without_environment_or_config_file(tmp_path):
    got = values(start(tmp_path))
    assert got["log_level"] == "INFO"
    assert got["site"] == "https://aniworld.to"
    assert got["anime_directory"] == ""


def test_config_file_wins_over_defaults(tmp_path):
    got = values(
        start(
            tmp_path,
            config_file={
                "logging": {"level": "WARNING"},
                "other": {"anime_directory": "/srv/anime"},
                "sites": {"aniworld_url": "https://mirror.example"},
            },
        )
    )
    assert got == {**got, "log_level": "WARNING", "anime_directory": "/srv/anime"}
    assert got["site"] == "https://mirror.example"


def test_environment_wins_over_config_file(tmp_path):
    got = values(
        start(
            tmp_path,
            env={"LOG_LEVEL": "debug", "ANIME_DIRECTORY": "/env/anime"},
            config_file={"logging": {"level": "WARNING"}, "other": {"anime_directory": "/a"}},
        )
    )
    assert got["log_level"] == "DEBUG"
    assert got["anime_directory"] == "/env/anime"


def test_a_bad_boolean_stops_the_start_with_a_clear_message(tmp_path):
    result = start(tmp_path, env={"DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ANIWORLD_PROXY", "ftp://proxy:21", "ANIWORLD_PROXY must be an http://, socks5://"),
        ("DNS_OVER_HTTPS", "http://dns.example/dns-query", "DNS_OVER_HTTPS must be an https://"),
        ("ANIWORLD_CA_BUNDLE", "/no/such/ca.pem", "is not a readable file"),
    ],
)
def test_a_bad_network_setting_stops_the_start_with_a_clear_message(
    tmp_path, variable, value, message
):
    result = start(tmp_path, env={variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_an_invalid_config_file_stops_the_start_with_a_clear_message(tmp_path):
    result = start(tmp_path, config_file={"scheduler": {"schedule_time": "25:99"}})
    assert result.returncode != 0
    assert "scheduler.schedule_time" in result.stderr


def test_the_secret_is_generated_once_with_mode_600_and_kept_across_starts(tmp_path):
    first = values(start(tmp_path))["secret"]
    second = values(start(tmp_path))["secret"]
    assert first == second
    assert len(first) >= 50
    mode = (tmp_path / "data" / "secret_key").stat().st_mode & 0o777
    assert mode == 0o600
