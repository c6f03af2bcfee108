"""`manage.py serve` in the default set-up (SQLite, no Redis), as `make run` starts it:
the data dir is private, the library root exists, unknown API routes are 404s, a
script without an Origin reaches the stream, a password change closes old sockets,
and of 60 parallel wrong passwords exactly 5 are checked."""

from __future__ import annotations

import asyncio
import json
import signal
import stat
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import websockets

from accounts.ratelimit import LOGIN_LIMIT
from tests.processes import ServeProcess

pytestmark = [pytest.mark.slow, pytest.mark.embedded]

PASSWORD = "Serve-Security-Pass-1"
NEW_PASSWORD = "Serve-Security-Pass-2"


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def app(tmp_path):
    serve = ServeProcess(
        tmp_path,
        env={
            "ANIME_DIRECTORY": str(tmp_path / "media" / "anime"),
            # The burst of wrong passwords comes "from" an address of its own.
            "TRUST_X_FORWARDED_FOR": "true",
        },
    )
    for variable in ("REDIS_URL", "DATABASE_URL"):
        serve.env.pop(variable, None)
    serve.start()
    yield serve
    serve.stop(signal.SIGKILL)


async def open_stream(app: ServeProcess, token: str):
    # No origin= : websockets sends no Origin header then, like any script.
    socket = await websockets.connect(f"ws://127.0.0.1:{app.port}/ws/connect?token={token}")
    assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "connected"
    return socket


def test_a_fresh_install_is_private_and_its_logins_hold(app, tmp_path):
    data = app.data_dir
    assert mode_of(data) == 0o700
    for name in ("aniworld.db", "secret_key", "jwt_secret_key", "logs/aniworld.log"):
        assert mode_of(data / name) == 0o600, name
    assert (tmp_path / "media" / "anime").is_dir()

    unknown = httpx.get(f"{app.url}/api/nope")
    assert unknown.status_code == 404
    assert unknown.json()["error"] == "NOT_FOUND"

    assert httpx.post(f"{app.url}/api/auth/setup", json={"master_password": PASSWORD}).is_success
    token = httpx.post(f"{app.url}/api/auth/login", json={"password": PASSWORD}).json()[
        "access_token"
    ]

    async def change_password_with_a_stream_open():
        socket = await open_stream(app, token)
        changed = await asyncio.to_thread(
            httpx.post,
            f"{app.url}/api/auth/password",
            json={"old_password": PASSWORD, "new_password": NEW_PASSWORD},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert changed.status_code == 200, changed.text
        revoked = json.loads(await asyncio.wait_for(socket.recv(), 10))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 10)
        return revoked, closed.value.rcvd.code

    revoked, code = asyncio.run(change_password_with_a_stream_open())
    assert revoked["data"]["code"] == "LOGIN_REVOKED"
    assert code == 4401

    def wrong_login(_):
        return httpx.post(
            f"{app.url}/api/auth/login",
            json={"password": "Wrong-Passw0rd"},
            headers={"X-Forwarded-For": "203.0.113.7"},
            timeout=60,
        ).status_code

    window_before = int(time.time() // LOGIN_LIMIT.window_seconds)
    with ThreadPoolExecutor(60) as pool:
        statuses = list(pool.map(wrong_login, range(60)))
    window_after = int(time.time() // LOGIN_LIMIT.window_seconds)
    assert statuses.count(401) + statuses.count(429) == 60
    checked = statuses.count(401)
    if window_after == window_before:
        assert checked == LOGIN_LIMIT.requests
    else:  # the burst straddled the turn of a minute: the new minute's budget too
        assert LOGIN_LIMIT.requests <= checked <= 2 * LOGIN_LIMIT.requests
