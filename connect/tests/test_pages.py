"""The Settings page's media-server and notification cards, and the System page panel."""

import pytest

from aniworld import config
from connect.models import TargetStatus
from connect.tests.conftest import jellyfin_entry
from tests.fakes.media_servers import JELLYFIN_KEY

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def servers():
    return config.current()["connect"]["media_servers"]


def test_the_settings_page_loads_the_connect_cards(owner_client):
    settings_html = owner_client.get("/settings/").content.decode()
    cards = owner_client.get("/settings/connect/", **HTMX).content.decode()

    assert 'hx-get="/settings/connect/"' in settings_html
    assert "No media server yet" in cards
    assert "Apprise URLs, one per line" in cards
    assert "Send test" in cards


def test_the_cards_work_as_a_page_without_javascript(owner_client):
    html = owner_client.get("/settings/connect/").content.decode()
    assert "<h1>Media servers and notifications</h1>" in html


def test_adding_editing_and_removing_a_media_server(owner_client, jellyfin):
    added = owner_client.post(
        "/settings/connect/servers",
        {
            "index": "",
            "action": "save",
            "kind": "jellyfin",
            "name": "Living room",
            "url": jellyfin.url,
            "api_key": JELLYFIN_KEY,
            "path_map": "/srv/anime => /media/anime\n",
        },
        **HTMX,
    )
    assert added.status_code == 200
    assert "Living room" in added.content.decode()
    assert servers() == [
        {
            "kind": "jellyfin",
            "name": "Living room",
            "url": jellyfin.url,
            "api_key": JELLYFIN_KEY,
            "path_map": [{"from": "/srv/anime", "to": "/media/anime"}],
        }
    ]

    owner_client.post(
        "/settings/connect/servers",
        {"index": "0", "action": "save", "kind": "emby", "name": "Den", "url": jellyfin.url},
        **HTMX,
    )
    assert servers()[0]["name"] == "Den"
    assert servers()[0]["kind"] == "emby"
    assert servers()[0]["api_key"] == JELLYFIN_KEY  # an empty key field keeps the stored one

    owner_client.post("/settings/connect/servers", {"index": "0", "action": "remove"}, **HTMX)
    assert servers() == []


def test_a_bad_media_server_is_explained_and_not_saved(owner_client):
    response = owner_client.post(
        "/settings/connect/servers",
        {"index": "", "action": "save", "kind": "plex", "name": "P", "url": "nope"},
        **HTMX,
    )

    html = response.content.decode()
    assert "url must be an http(s) URL" in html
    assert "needs its token (X-Plex-Token) in api_key" in html
    assert 'value="P"' in html  # what was typed stays
    assert servers() == []


def test_a_malformed_path_map_line_is_explained(owner_client):
    response = owner_client.post(
        "/settings/connect/servers",
        {"index": "", "action": "save", "kind": "emby", "name": "E", "url": "http://e",
         "api_key": "k", "path_map": "/only/one/side"},
        **HTMX,
    )  # fmt: skip
    assert "path map line 1 must look like" in response.content.decode()


def test_the_test_button_tests_one_server(owner_client, jellyfin):
    config.store().update({"connect": {"media_servers": [jellyfin_entry(jellyfin)]}})

    response = owner_client.post(
        "/settings/connect/servers", {"index": "0", "action": "test"}, **HTMX
    )

    assert "Fake Jellyfin 10.10.7 answered" in response.content.decode()
    assert '"kind": "success"' in response["HX-Trigger"]


def test_notification_settings_are_saved_and_tested(owner_client, apprise_target):
    saved = owner_client.post(
        "/settings/connect/notify",
        {
            "action": "save",
            "notify_urls": f"{apprise_target.apprise_url}\n\n",
            "notify_on": ["download_failed", "health"],
        },
        **HTMX,
    )
    assert saved.status_code == 200
    assert config.current()["connect"]["notify_urls"] == [apprise_target.apprise_url]
    assert config.current()["connect"]["notify_on"] == ["download_failed", "health"]

    tested = owner_client.post("/settings/connect/notify", {"action": "test"}, **HTMX)

    assert "sent to 1 target" in tested.content.decode()
    assert apprise_target.messages[0]["title"] == "Aniworld test notification"


def test_sending_a_test_without_urls_says_to_add_one(owner_client):
    response = owner_client.post("/settings/connect/notify", {"action": "test"}, **HTMX)
    assert "add an Apprise URL" in response.content.decode()
    assert '"kind": "error"' in response["HX-Trigger"]


def test_the_system_page_shows_each_media_servers_last_result(owner_client, jellyfin):
    config.store().update({"connect": {"media_servers": [jellyfin_entry(jellyfin)]}})
    TargetStatus.record("media:Jelly", False, "Jelly (jellyfin): answered HTTP 500")

    system_html = owner_client.get("/system/").content.decode()
    panel = owner_client.get("/system/connect").content.decode()

    assert 'hx-get="/system/connect"' in system_html
    assert "Jelly" in panel
    assert "answered HTTP 500" in panel
    assert "badge-error" in panel


def test_the_system_panel_says_how_to_set_up_connect(owner_client):
    html = owner_client.get("/system/connect").content.decode()
    assert "Add them in Settings" in html


def test_without_javascript_a_save_comes_back_as_a_message_on_the_page(owner_client):
    response = owner_client.post(
        "/settings/connect/notify", {"action": "save", "notify_urls": "bad url"}, follow=True
    )

    assert response.redirect_chain == [("/settings/connect/", 302)]
    assert "is not an Apprise URL" in response.content.decode()
