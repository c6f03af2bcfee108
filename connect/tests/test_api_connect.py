"""POST /api/connect/test and the connect settings in /api/config."""

import pytest

from aniworld import config
from connect.models import TargetStatus
from connect.tests.conftest import jellyfin_entry, plex_entry
from tests.fakes.media_servers import JELLYFIN_KEY

pytestmark = pytest.mark.django_db


def test_testing_media_servers_asks_each_one(api, jellyfin, plex, set_connect, tmp_path):
    set_connect(media_servers=[jellyfin_entry(jellyfin), plex_entry(plex, tmp_path)])

    response = api.post("/api/connect/test", {"target": "media_servers"}, format="json")

    assert response.status_code == 200
    assert response.json() == {
        "target": "media_servers",
        "ok": True,
        "results": [
            {"name": "Jelly", "ok": True, "message": "Fake Jellyfin 10.10.7 answered"},
            {"name": "Plex", "ok": True, "message": "2 library sections"},
        ],
    }
    assert TargetStatus.objects.get(target="media:Jelly").message.startswith("test: ")


def test_a_media_server_with_a_wrong_key_fails_its_test_with_the_reason(api, jellyfin, set_connect):
    set_connect(media_servers=[jellyfin_entry(jellyfin, api_key="wrong")])

    body = api.post("/api/connect/test", {"target": "media_servers"}, format="json").json()

    assert body["ok"] is False
    assert "401" in body["results"][0]["message"]
    assert not TargetStatus.objects.get(target="media:Jelly").ok


def test_one_media_server_can_be_tested_by_name(api, jellyfin, plex, set_connect, tmp_path):
    set_connect(media_servers=[jellyfin_entry(jellyfin), plex_entry(plex, tmp_path)])

    body = api.post(
        "/api/connect/test", {"target": "media_servers", "name": "Plex"}, format="json"
    ).json()
    missing = api.post(
        "/api/connect/test", {"target": "media_servers", "name": "Nope"}, format="json"
    )

    assert [result["name"] for result in body["results"]] == ["Plex"]
    assert missing.status_code == 404


def test_a_test_notification_reaches_every_url(api, apprise_target, set_connect):
    set_connect(notify_urls=[apprise_target.apprise_url])

    response = api.post("/api/connect/test", {"target": "notify"}, format="json")

    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert apprise_target.messages[0]["title"] == "Aniworld test notification"


@pytest.mark.parametrize("target", ["notify", "media_servers"])
def test_testing_with_nothing_configured_says_where_to_add_it(api, target):
    response = api.post("/api/connect/test", {"target": target}, format="json")

    assert response.status_code == 409
    assert response.json()["error"] == "NOTHING_CONFIGURED"
    assert "Settings" in response.json()["message"]


def test_an_unknown_target_is_refused(api):
    response = api.post("/api/connect/test", {"target": "pager"}, format="json")

    assert response.status_code == 422
    assert "target" in response.json()["details"]


def test_the_config_has_connect_defaults(api):
    connect = api.get("/api/config").json()["connect"]

    assert connect == {
        "media_servers": [],
        "notify_urls": [],
        "notify_on": ["download_failed", "needs_attention", "new_episodes", "health"],
    }


def test_a_media_server_is_saved_through_the_config_api(api, jellyfin):
    server = jellyfin_entry(jellyfin)
    response = api.patch("/api/config", {"connect": {"media_servers": [server]}}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["connect"]["media_servers"] == [{**server, "api_key": None}]
    assert config.current()["connect"]["media_servers"] == [server]


def test_media_server_keys_are_write_only_and_a_round_trip_keeps_them(api, jellyfin):
    server = jellyfin_entry(jellyfin)
    api.patch("/api/config", {"connect": {"media_servers": [server]}}, format="json")

    shown = api.get("/api/config").json()["connect"]
    renamed = [{**shown["media_servers"][0], "url": jellyfin.url + "/"}]
    response = api.patch("/api/config", {"connect": {"media_servers": renamed}}, format="json")

    assert shown["media_servers"][0]["api_key"] is None
    assert response.status_code == 200, response.content
    assert config.current()["connect"]["media_servers"][0]["api_key"] == JELLYFIN_KEY


def test_a_new_media_server_without_a_key_is_refused(api, jellyfin):
    server = {**jellyfin_entry(jellyfin), "api_key": None}

    response = api.patch("/api/config", {"connect": {"media_servers": [server]}}, format="json")

    assert response.status_code == 422
    assert "needs its API key in api_key" in response.json()["details"]["connect.media_servers"][0]


@pytest.mark.parametrize(
    ("change", "field", "text"),
    [
        ({"media_servers": [{"kind": "kodi"}]}, "connect.media_servers", "kind must be one of"),
        (
            {"media_servers": [{"kind": "plex", "name": "P", "url": "ftp://x", "api_key": "t"}]},
            "connect.media_servers",
            "url must be an http(s) URL",
        ),
        (
            {"media_servers": [{"kind": "plex", "name": "P", "url": "http://x", "api_key": ""}]},
            "connect.media_servers",
            "X-Plex-Token",
        ),
        (
            {
                "media_servers": [
                    {"kind": "emby", "name": "E", "url": "http://x", "api_key": "k"},
                    {"kind": "emby", "name": "e", "url": "http://y", "api_key": "k"},
                ]
            },
            "connect.media_servers",
            "used twice",
        ),
        ({"notify_urls": ["not a url"]}, "connect.notify_urls", "not an Apprise URL"),
        ({"notify_on": ["lunch"]}, "connect.notify_on", "must list events of"),
        (
            {
                "media_servers": [
                    {
                        "kind": "emby",
                        "name": "E",
                        "url": "http://x",
                        "api_key": "k",
                        "path_map": [{"from": "/a"}],
                    }
                ]
            },
            "connect.media_servers",
            "path_map must be a list",
        ),
    ],
)
def test_bad_connect_settings_are_refused_per_field(api, change, field, text):
    response = api.patch("/api/config", {"connect": change}, format="json")

    assert response.status_code == 422
    details = response.json()["details"]
    assert any(text in message for message in details[field]), details
