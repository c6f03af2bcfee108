"""The live stream across real processes: `manage.py serve` (daphne + the worker cluster).

A WebSocket client connected to the web process sees a download that runs in
the worker process, through the default embedded channel layer and, when
``REDIS_URL`` is set (``make test-services``), through Redis; and SIGTERM tells
every client before the server goes.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
import websockets

from tests.processes import ServeProcess

pytestmark = pytest.mark.slow

PASSWORD = "Live-Stream-Test-9"
SERIES = "attack-on-titan"
# The fake index answers at once; no need for the real sites' politeness.
QUICK_INDEX = {"ANIWORLD_INDEX_RATE": "200", "ANIWORLD_REMOTE_BACKOFF": "0.01"}
# The three HLS segments of the test media (~22 kB each) come in parallel: about
# 2 s at this pace, several progress events even on a busy machine.
MEDIA_BYTES_PER_SECOND = 10_000


@contextmanager
def own_database(url: str | None) -> Iterator[str | None]:
    """A fresh PostgreSQL database for the child (it must not share pytest's), dropped after."""
    if not url or not url.startswith("postgres"):
        yield None
        return
    import psycopg

    parts = urlsplit(url)
    name = f"aniworld_live_{uuid.uuid4().hex[:10]}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["embedded", "redis"])
def app(request, tmp_path) -> Iterator[ServeProcess]:
    """`serve` in the default set-up (SQLite, no Redis), or with this run's Redis and database."""
    redis_url = os.environ.get("REDIS_URL")
    if request.param == "redis" and not redis_url:
        pytest.skip("REDIS_URL is not set (make test-services runs this)")
    library = tmp_path / "library"
    library.mkdir()
    database_url = os.environ.get("DATABASE_URL") if request.param == "redis" else None
    with own_database(database_url) as child_database:
        serve = ServeProcess(tmp_path, env={"ANIME_DIRECTORY": str(library), **QUICK_INDEX})
        for variable in ("REDIS_URL", "DATABASE_URL"):
            serve.env.pop(variable, None)
        if request.param == "redis":
            serve.env["REDIS_URL"] = redis_url
            if child_database:
                serve.env["DATABASE_URL"] = child_database
        serve.start()
        try:
            yield serve
        finally:
            serve.stop(signal.SIGKILL)


def owner_token(app: ServeProcess) -> str:
    setup = httpx.post(f"{app.url}/api/auth/setup", json={"master_password": PASSWORD})
    assert setup.status_code == 201, setup.text
    login = httpx.post(f"{app.url}/api/auth/login", json={"password": PASSWORD})
    assert login.status_code == 200, login.text
    return login.json()["access_token"]


def stream_url(app: ServeProcess, token: str) -> str:
    return f"ws://127.0.0.1:{app.port}/ws/connect?token={token}"


async def receive(socket, timeout: float = 10) -> dict:
    return json.loads(await asyncio.wait_for(socket.recv(), timeout))


async def join(socket, room: str) -> None:
    await socket.send(json.dumps({"action": "join", "data": {"room": room}}))
    assert (await receive(socket))["type"] == "joined"


async def download_events(socket) -> list[dict]:
    """The ``download_*`` events up to the download's end (``queue_status`` ones skipped)."""
    events: list[dict] = []
    while not events or events[-1]["type"] not in ("download_completed", "download_failed"):
        message = await receive(socket, timeout=30)
        if message["type"].startswith("download_"):
            events.append(message)
    return events


def test_a_download_in_the_worker_streams_to_a_client_of_the_web_process(world, hosters, app):
    token = owner_token(app)
    api = httpx.Client(base_url=app.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    added = api.post("/api/anime/", json={"key": SERIES, "site": "aniworld.to"})
    assert added.status_code == 201, added.text
    app.wait_until(lambda: api.get(f"/api/anime/{SERIES}").json()["state"] == "ready", 30, "ready")
    hosters.slow_media(MEDIA_BYTES_PER_SECOND)

    async def watch() -> list[list[dict]]:
        """Two clients (two browser windows) follow the download until it ends."""
        sockets = [await websockets.connect(stream_url(app, token), origin=app.url) for _ in "ab"]
        for socket in sockets:
            assert (await receive(socket))["type"] == "connected"
            await join(socket, "downloads")
            assert (await receive(socket))["type"] == "queue_status"
        queued = await asyncio.to_thread(
            api.post,
            "/api/queue/add",
            json={"series_key": SERIES, "episodes": [{"season": 1, "episode": 2}]},
        )
        assert queued.status_code == 201, queued.text
        seen = await asyncio.gather(*(download_events(socket) for socket in sockets))
        for socket in sockets:
            await socket.close()
        return seen

    events, other_window = asyncio.run(watch())
    types = [e["type"] for e in events]
    assert types[0] == "download_started", types
    assert types[-1] == "download_completed", (types, events[-1]["data"].get("error"), app.log())
    assert set(types[1:-1]) == {"download_progress"}
    assert len(types) - 2 >= 3, types
    assert {e["data"]["id"] for e in events} == {events[0]["data"]["id"]}
    assert events[-1]["data"]["status"] == "completed"
    assert events[-1]["data"]["file_path"].endswith("S01E02 - An jenem Tag.mp4")
    assert all(e["room"] == "downloads" for e in events)
    assert other_window == events


# Only the web process is involved, whatever the layer. 1001 takes the same way out of
# daphne (aniworld/asgi.py) as 1009 for an oversize message.
@pytest.mark.parametrize("app", ["embedded"], indirect=True)
def test_sigterm_tells_every_client_and_closes_with_1001(app):
    token = owner_token(app)

    async def connect_clients():
        sockets = [await websockets.connect(stream_url(app, token), origin=app.url) for _ in "ab"]
        for socket in sockets:
            assert (await receive(socket))["type"] == "connected"
        await join(sockets[0], "downloads")  # rooms do not matter: everybody is told
        assert (await receive(sockets[0]))["type"] == "queue_status"
        return sockets

    async def on_sigterm(sockets) -> list[tuple[str, int | None, float]]:
        started = time.monotonic()
        app.process.send_signal(signal.SIGTERM)
        seen = []
        for socket in sockets:
            message = await receive(socket, timeout=15)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await asyncio.wait_for(socket.recv(), 15)
            code = closed.value.rcvd.code if closed.value.rcvd else None
            seen.append((message["type"], code, time.monotonic() - started))
        return seen

    async def run():
        return await on_sigterm(await connect_clients())

    seen = asyncio.run(run())
    assert [(kind, code) for kind, code, _ in seen] == [("server_shutdown", 1001)] * 2, app.log()
    # Well inside serve's 30 s shutdown budget, with room for a busy machine.
    assert max(elapsed for *_, elapsed in seen) < 15
    assert app.process.wait(timeout=30) == 0
