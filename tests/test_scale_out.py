"""Scale-out: two web processes and the worker on one PostgreSQL database and one Redis.

The set-up a larger installation runs: ``python -m daphne`` twice (web A and
web B, each on its own port) and ``manage.py qcluster`` once, sharing a
throw-away PostgreSQL database, a Redis database of their own (channel layer,
cache, task broker) and the data dir (config.json and the secrets, as on a
shared volume). The index and the hosters are the local fakes.

A client of web A follows a download that web B queued and the worker ran
(the events travel through Redis); the rate limits count every process's
requests together; and both web processes answer with the same queue.

PostgreSQL and Redis come from ``DATABASE_URL`` and ``REDIS_URL`` (what
``make test-services`` sets), else from the Makefile's defaults on 127.0.0.1.
Where they cannot be reached the tests skip with the reason; on CI (``CI=true``)
that is a failure instead, because CI must run them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
import redis
import websockets

from tests.fakes.world import connect
from tests.processes import BASE_DIR, free_port

pytestmark = [pytest.mark.slow, pytest.mark.services]

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
# Not a Redis database of the suite's own (15, then one lower per xdist worker: the
# in-process tests clear theirs).
SCALE_OUT_REDIS_DB = 8
PASSWORD = "Scale-Out-Test-7"
SERIES = "attack-on-titan"
QUICK_INDEX = {"ANIWORLD_INDEX_RATE": "200", "ANIWORLD_REMOTE_BACKOFF": "0.01"}
# The three HLS segments of the test media (~22 kB each) come in parallel: about
# 2 s at this pace, several progress events even on a busy machine.
MEDIA_BYTES_PER_SECOND = 10_000


def _required() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes") or (
        os.environ.get("ANIWORLD_REQUIRE_SERVICES") == "1"
    )


def _service_urls() -> tuple[str, str]:
    """This run's PostgreSQL server and a Redis database of the scale-out test's own."""
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        database_url = DEFAULT_POSTGRES_URL
    redis_url = urlsplit(os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL)
    return database_url, urlunsplit(redis_url._replace(path=f"/{SCALE_OUT_REDIS_DB}", query=""))


def _admin_url(database_url: str) -> str:
    return urlunsplit(urlsplit(database_url)._replace(path="/postgres"))


def _unreachable(database_url: str, redis_url: str) -> str | None:
    problems = []
    try:
        psycopg.connect(_admin_url(database_url), connect_timeout=3).close()
    except psycopg.Error as exc:
        problems.append(
            f"PostgreSQL at {database_url} is not reachable ({' '.join(str(exc).split())})"
        )
    try:
        with redis.Redis.from_url(redis_url, socket_connect_timeout=3) as client:
            client.ping()
    except redis.RedisError as exc:
        problems.append(f"Redis at {redis_url} is not reachable ({exc})")
    if not problems:
        return None
    return "the scale-out tests need PostgreSQL and Redis: " + "; ".join(problems)


@contextlib.contextmanager
def throwaway_database(url: str) -> Iterator[str]:
    """A fresh database on the server of ``url``, dropped afterwards (connections and all)."""
    parts = urlsplit(url)
    name = f"aniworld_scale_{uuid.uuid4().hex[:10]}"
    admin = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def flushed_redis(url: str) -> Iterator[redis.Redis]:
    """The Redis database of ``url``, empty before and after."""
    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()
        client.close()


@dataclass
class Process:
    """One child in its own process group (the cluster's helpers die with it)."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen | None = None

    def start(self) -> Process:
        with open(self.log_path, "ab") as log:
            self.popen = subprocess.Popen(
                self.argv,
                cwd=BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def kill(self) -> None:
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def log(self) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return f"--- {self.name} ---\n{text[-4000:]}"


@dataclass
class Web(Process):
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, token: str = "", **headers: str) -> httpx.Client:
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


@dataclass
class Cluster:
    a: Web
    b: Web
    worker: Process
    library: Path
    token: str = ""

    @property
    def processes(self) -> list[Process]:
        return [self.a, self.b, self.worker]

    def logs(self) -> str:
        return "\n".join(process.log() for process in self.processes)

    def wait_until(self, condition, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.popen.poll() is not None:
                    raise AssertionError(f"{process.name} exited early:\n{self.logs()}")
            try:
                if condition():
                    return
            except (httpx.HTTPError, ValueError, KeyError):
                pass
            time.sleep(0.25)
        raise AssertionError(f"timed out waiting until {what}:\n{self.logs()}")


@pytest.fixture(scope="module")
def cluster(
    tmp_path_factory, running_aniworld, running_sto, running_hoster_world
) -> Iterator[Cluster]:
    """Web A, web B and the worker, set up and logged in, with the series in the library."""
    database_url, redis_url = _service_urls()
    problem = _unreachable(database_url, redis_url)
    if problem:
        if _required():
            pytest.fail(f"{problem} (required on CI)")
        pytest.skip(problem)
    root = tmp_path_factory.mktemp("scale-out")
    library = root / "library"
    library.mkdir()
    running_aniworld.reset()
    running_hoster_world.reset()
    connect(running_aniworld, running_hoster_world)
    with throwaway_database(database_url) as child_database, flushed_redis(redis_url):
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
            "DJANGO_SETTINGS_MODULE": "aniworld.settings",
            "DATABASE_URL": child_database,
            "REDIS_URL": redis_url,
            "ANIWORLD_DATA_DIR": str(root / "data"),
            "ANIWORLD_TEMP_DIR": str(root / "Temp"),
            "ANIME_DIRECTORY": str(library),
            "ANIWORLD_SITE_URL": running_aniworld.url,
            "STO_SITE_URL": running_sto.url,
            # As behind the reverse proxy: each test speaks for a client address of its own.
            "TRUST_X_FORWARDED_FOR": "true",
            "PYTHONUNBUFFERED": "1",
            **QUICK_INDEX,
        }
        manage = [sys.executable, "manage.py"]
        migrate = subprocess.run(
            [*manage, "migrate", "--noinput"], cwd=BASE_DIR, env=env, capture_output=True
        )
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr

        def web(name: str) -> Web:
            port = free_port()
            daphne = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
            argv = [*daphne, "aniworld.asgi:application"]
            return Web(name, argv, env, root / f"{name}.log", port=port)

        running = Cluster(
            web("web-a"),
            web("web-b"),
            Process("worker", [*manage, "qcluster"], env, root / "worker.log"),
            library,
        )
        try:
            for process in running.processes:
                process.start()
            for web_process in (running.a, running.b):
                running.wait_until(
                    lambda w=web_process: httpx.get(f"{w.url}/health").status_code == 200,
                    30,
                    f"{web_process.name} answers",
                )
            running.token = owner_token(running.b)
            add_series(running)
            yield running
        finally:
            for process in running.processes:
                process.kill()


def owner_token(web: Web) -> str:
    with web.client() as client:
        setup = client.post("/api/auth/setup", json={"master_password": PASSWORD})
        assert setup.status_code == 201, setup.text
        login = client.post("/api/auth/login", json={"password": PASSWORD})
        assert login.status_code == 200, login.text
    return login.json()["access_token"]


def add_series(cluster: Cluster) -> None:
    """Added through web B; the worker loads its episodes; web A sees them."""
    with cluster.b.client(cluster.token) as b, cluster.a.client(cluster.token) as a:
        added = b.post("/api/anime/", json={"key": SERIES, "site": "aniworld.to"})
        assert added.status_code == 201, added.text
        cluster.wait_until(
            lambda: a.get(f"/api/anime/{SERIES}").json()["state"] == "ready", 30, "series ready"
        )


async def receive(socket, timeout: float = 10) -> dict:
    return json.loads(await asyncio.wait_for(socket.recv(), timeout))


async def download_events(socket) -> list[dict]:
    """The ``download_*`` events up to the download's end (``queue_status`` ones skipped)."""
    events: list[dict] = []
    while not events or events[-1]["type"] not in ("download_completed", "download_failed"):
        message = await receive(socket, timeout=30)
        if message["type"].startswith("download_"):
            events.append(message)
    return events


def test_a_client_of_web_a_sees_the_progress_of_a_download_queued_through_web_b(
    cluster, world, hosters
):
    hosters.slow_media(MEDIA_BYTES_PER_SECOND)
    stream = f"ws://127.0.0.1:{cluster.a.port}/ws/connect?token={cluster.token}"

    async def watch() -> list[dict]:
        async with websockets.connect(stream, origin=cluster.a.url) as socket:
            assert (await receive(socket))["type"] == "connected"
            await socket.send(json.dumps({"action": "join", "data": {"room": "downloads"}}))
            assert (await receive(socket))["type"] == "joined"
            assert (await receive(socket))["type"] == "queue_status"
            with cluster.b.client(cluster.token) as b:
                queued = await asyncio.to_thread(
                    b.post,
                    "/api/queue/add",
                    json={"series_key": SERIES, "episodes": [{"season": 1, "episode": 2}]},
                )
            assert queued.status_code == 201, queued.text
            return await download_events(socket)

    events = asyncio.run(watch())
    types = [e["type"] for e in events]
    assert types[0] == "download_started", (types, cluster.logs())
    assert types[-1] == "download_completed", (types, events[-1]["data"], cluster.logs())
    assert set(types[1:-1]) == {"download_progress"}
    assert len(types) - 2 >= 3, types
    assert {e["data"]["id"] for e in events} == {queued_id := events[0]["data"]["id"]}
    percents = [e["data"]["progress"]["percent"] for e in events[1:-1]]
    assert percents == sorted(percents), percents
    assert events[-1]["data"]["file_path"].endswith("S01E02 - An jenem Tag.mp4")
    assert (cluster.library / events[-1]["data"]["file_path"]).is_file()
    with cluster.a.client(cluster.token) as a:
        completed = a.get("/api/queue/status").json()["completed"]
    assert [item["id"] for item in completed] == [queued_id]


def fresh_rate_window(seconds_needed: float = 10) -> None:
    """Wait for a new fixed window when the current one would end halfway through a check."""
    left = 60 - time.time() % 60
    if left < seconds_needed:
        time.sleep(left + 0.1)


def test_the_login_limit_counts_attempts_on_both_web_processes_together(cluster):
    # Each wrong password costs the production hasher's 1,000,000 rounds: seconds in
    # all on a busy machine.
    fresh_rate_window(25)
    address = {"X-Forwarded-For": "203.0.113.5"}
    with cluster.a.client(**address) as a, cluster.b.client(**address) as b:
        tries = [
            web.post("/api/auth/login", json={"password": "Wrong-Guess-1"})
            for web in (a, b, a, b, a)
        ]
        assert [r.status_code for r in tries] == [401] * 5, [r.text for r in tries]
        for web in (b, a):
            refused = web.post("/api/auth/login", json={"password": PASSWORD})
            assert refused.status_code == 429, refused.text
            assert refused.json()["error"] == "RATE_LIMITED", refused.json()
            assert 1 <= int(refused.headers["Retry-After"]) <= 61
    # Another client address is not held back by that one.
    with cluster.a.client(**{"X-Forwarded-For": "203.0.113.6"}) as other:
        assert other.post("/api/auth/login", json={"password": PASSWORD}).status_code == 200


def test_the_anonymous_limit_counts_requests_on_both_web_processes_together(cluster):
    fresh_rate_window(15)
    address = {"X-Forwarded-For": "203.0.113.7"}
    with cluster.a.client(**address) as a, cluster.b.client(**address) as b:
        answers = [web.get("/api/auth/status").status_code for web in (a, b) for _ in range(30)]
        assert answers == [200] * 60
        for web in (a, b):
            refused = web.get("/api/auth/status")
            assert refused.status_code == 429, refused.text
            assert 1 <= int(refused.headers["Retry-After"]) <= 61
    # The owner's token is never held back by the anonymous limit.
    with cluster.a.client(cluster.token, **address) as owner:
        assert owner.get("/api/auth/status").status_code == 200


def test_both_web_processes_answer_with_the_same_queue(cluster):
    with cluster.a.client(cluster.token) as a, cluster.b.client(cluster.token) as b:
        assert a.post("/api/queue/stop").status_code == 200
        assert b.get("/api/queue/status").json()["is_running"] is False
        added = b.post(
            "/api/queue/add",
            json={"series_key": SERIES, "episodes": [{"season": 1, "episode": 1}]},
        )
        assert added.status_code == 201, added.text
        item_id = added.json()["added"][0]["id"]
        seen = [web.get("/api/queue/status").json() for web in (a, b)]
        assert seen[0] == seen[1]
        assert [item["id"] for item in seen[0]["pending"]] == [item_id]

        assert a.delete(f"/api/queue/{item_id}").status_code == 200
        assert b.get("/api/queue/status").json()["pending"] == []
        assert b.post("/api/queue/start").status_code == 200
        assert a.get("/api/queue/status").json()["is_running"] is True
