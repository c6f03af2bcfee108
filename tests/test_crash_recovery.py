"""kill -9 in the middle of a download loses nothing (real processes, fake remote world)."""

import os
import signal
import time

import pytest

from tests.processes import ServeProcess, command_line

pytestmark = [pytest.mark.slow, pytest.mark.embedded]

EPISODE = "Attack on Titan (2013)/Season 01/Attack on Titan - S01E02 - An jenem Tag.mp4"


@pytest.fixture
def app(tmp_path, world, hosters):
    # ~4 s an episode (its three ~22 kB segments come in parallel): time to kill it mid-way
    hosters.slow_media(6_000)
    library = tmp_path / "library"
    library.mkdir()
    env = {
        "ANIWORLD_SITE_URL": world.url,
        "ANIME_DIRECTORY": str(library),
        "ANIWORLD_INDEX_RATE": "100",
    }
    env.pop("REDIS_URL", None)
    serve = ServeProcess(tmp_path, env={**env, "DATABASE_URL": "", "REDIS_URL": ""}).start()
    serve.library = library
    serve.log_in()
    yield serve
    serve.stop(signal.SIGKILL)


def status(app):
    return app.get("/api/queue/status").json()


def queue_episode(app):
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


def wait_mid_download(app):
    def downloading():
        active = status(app)["active"]
        return active and active["progress"]["downloaded_bytes"] > 0

    app.wait_until(downloading, 60, "the download is under way")


def worker_pids(app):
    return [pid for pid in app.children() if "qcluster" in command_line(pid)]


def assert_completed_cleanly(app):
    app.wait_until(lambda: status(app)["stats"]["completed"] == 1, 90, "the download completes")
    body = status(app)
    assert body["stats"] == {**body["stats"], "pending": 0, "downloading": 0, "failed": 0}
    assert body["completed"][0]["file_path"] == EPISODE
    files = sorted(
        p.relative_to(app.library).as_posix() for p in app.library.rglob("*") if p.is_file()
    )
    assert EPISODE in files
    assert not [f for f in files if "part" in f or "/." in f]
    assert list(app.temp_dir.iterdir()) == []


def test_a_worker_killed_mid_download_is_restarted_and_the_item_completes(app):
    queue_episode(app)
    wait_mid_download(app)
    (pid,) = worker_pids(app)
    os.killpg(pid, signal.SIGKILL)  # the cluster and its worker processes, no chance to clean up
    app.wait_until(lambda: worker_pids(app) and worker_pids(app) != [pid], 30, "a new worker")
    assert_completed_cleanly(app)


def test_the_whole_app_killed_mid_download_recovers_at_the_next_start(app, tmp_path):
    queue_episode(app)
    wait_mid_download(app)
    for pid in app.children():
        os.killpg(pid, signal.SIGKILL)
    app.process.kill()
    app.process.wait()
    time.sleep(0.5)
    again = ServeProcess(tmp_path, env=app.env)
    again.port, again.url = app.port, app.url
    again.start()
    again.token, again.library = app.token, app.library
    try:
        assert_completed_cleanly(again)
    finally:
        again.stop(signal.SIGKILL)
