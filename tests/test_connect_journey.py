"""A download on a fresh installation ends with the media server told, a notification
sent and history rows — real processes (web + django-q2 cluster), fake remote world."""

import signal

import pytest

from tests.fakes.media_servers import JELLYFIN_KEY
from tests.processes import ServeProcess

pytestmark = [pytest.mark.slow, pytest.mark.embedded]

EPISODE = "Attack on Titan (2013)/Season 01/Attack on Titan - S01E02 - An jenem Tag.mp4"


@pytest.fixture
def app(tmp_path, world, hosters):
    library = tmp_path / "library"
    library.mkdir()
    env = {
        "ANIWORLD_SITE_URL": world.url,
        "ANIME_DIRECTORY": str(library),
        "ANIWORLD_INDEX_RATE": "100",
        "DATABASE_URL": "",
        "REDIS_URL": "",
    }
    serve = ServeProcess(tmp_path, env=env).start()
    serve.library = library
    serve.log_in()
    yield serve
    serve.stop(signal.SIGKILL)


def test_a_download_tells_jellyfin_notifies_and_is_in_the_history(app, jellyfin, apprise_target):
    connect = {
        "media_servers": [
            {
                "kind": "jellyfin",
                "name": "Jelly",
                "url": jellyfin.url,
                "api_key": JELLYFIN_KEY,
                "path_map": [{"from": str(app.library), "to": "/media/anime"}],
            }
        ],
        "notify_urls": [apprise_target.apprise_url],
        "notify_on": ["download_completed", "download_failed"],
    }
    patched = app.patch("/api/config", json={"connect": connect})
    assert patched.status_code == 200, patched.text

    assert (
        app.post("/api/anime/", json={"key": "attack-on-titan", "site": "aniworld.to"}).status_code
        == 201
    )
    app.wait_until(
        lambda: app.get("/api/anime/attack-on-titan").json()["state"] == "ready",
        60,
        "episodes load",
    )
    body = {"series_key": "attack-on-titan", "episodes": [{"season": 1, "episode": 2}]}
    assert len(app.post("/api/queue/add", json=body).json()["added"]) == 1

    app.wait_until(lambda: jellyfin.updates, 90, "Jellyfin is told")
    app.wait_until(lambda: apprise_target.messages, 30, "the notification arrives")
    assert jellyfin.updates == [{"Path": f"/media/anime/{EPISODE}", "UpdateType": "Created"}]
    assert apprise_target.messages[0]["title"] == "Downloaded: Attack on Titan S01E02"
    history = app.get("/api/history?series=attack-on-titan").json()
    assert [row["event"] for row in history["results"]] == ["imported", "grabbed"]
    assert history["results"][0]["file_path"] == EPISODE
    assert app.post("/api/connect/test", json={"target": "media_servers"}).json()["ok"] is True
