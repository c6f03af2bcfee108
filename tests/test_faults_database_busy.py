"""The embedded SQLite database under write pressure from both processes at once.

API clients in several threads keep writing (queue adds, cancels, reorders,
priorities, settings and schedule changes, rescans that the worker carries
out) while the worker downloads slowly and writes progress several times a
second, and a long writer from outside takes the lock for seconds at a time.
No client may see a server error or "database is locked", the worker must not
fail an item over a locked database, and every episode still ends up
downloaded exactly once.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest

from tests.fault_checks import (
    DOWNLOADABLE,
    add_series,
    all_items,
    assert_all_completed_once,
    client,
    queue_episodes,
    seeded_random,
    start_app,
    wait_until_settled,
)
from tests.processes import BASE_DIR

pytestmark = [pytest.mark.slow, pytest.mark.embedded]

WRITERS = 4
HAMMER_SECONDS = 10.0
MEDIA_BYTES_PER_SECOND = 13_000  # ~2 s an episode (segments in parallel): progress writes all along
LOCKED = ("database is locked", "database table is locked", "OperationalError")


class Writer(threading.Thread):
    """One API client writing as fast as the server answers."""

    def __init__(self, app, rng: random.Random, stop: threading.Event):
        super().__init__(daemon=True)
        self.http = client(app)
        self.rng = rng
        self.stop = stop
        self.errors: list[str] = []
        self.calls = Counter()
        self.failure: BaseException | None = None

    def run(self) -> None:
        operations = (
            self.reprioritise,
            self.reorder,
            self.cancel_and_add_again,
            self.change_settings,
            self.change_schedule,
            self.rescan,
        )
        try:
            while not self.stop.is_set():
                self.rng.choice(operations)()
        except BaseException as exc:
            self.failure = exc
        finally:
            self.http.close()

    def call(self, method: str, path: str, *allowed: int, **kwargs) -> dict | None:
        response = self.http.request(method, path, **kwargs)
        self.calls[f"{method} {path.split('/')[2]}"] += 1
        if response.status_code >= 500 or any(word in response.text for word in LOCKED):
            self.errors.append(f"{method} {path}: {response.status_code} {response.text[:300]}")
        elif response.status_code not in allowed:
            self.errors.append(f"{method} {path}: unexpected {response.status_code}")
        return response.json() if response.status_code == 200 else None

    def pending(self) -> list[dict]:
        status = self.call("GET", "/api/queue/status", 200)
        return status["pending"] if status else []

    def reprioritise(self) -> None:
        pending = self.pending()
        if pending:
            item = self.rng.choice(pending)
            priority = self.rng.choice(("high", "normal", "low"))
            # 409: it started or was cancelled meanwhile; 404: cancelled twice, so removed.
            self.call(
                "PATCH", f"/api/queue/{item['id']}", 200, 404, 409, json={"priority": priority}
            )

    def reorder(self) -> None:
        ids = [item["id"] for item in self.pending()]
        self.rng.shuffle(ids)
        self.call("POST", "/api/queue/reorder", 200, 422, json={"item_ids": ids})

    def cancel_and_add_again(self) -> None:
        pending = self.pending()
        if not pending:
            return
        item = self.rng.choice(pending)
        # 409: another writer cancelled it first; 200 also when it finished meanwhile.
        self.call("DELETE", f"/api/queue/{item['id']}", 200, 404, 409)
        body = {
            "series_key": item["series_key"],
            "episodes": [{"season": item["season"], "episode": item["episode"]}],
        }
        self.call("POST", "/api/queue/add", 201, json=body)

    def change_settings(self) -> None:
        level = self.rng.choice(("INFO", "WARNING"))
        self.call("PATCH", "/api/config", 200, json={"logging": {"level": level}})

    def change_schedule(self) -> None:
        time_of_day = f"0{self.rng.randrange(10)}:{self.rng.randrange(60):02d}"
        self.call(
            "PATCH", "/api/scheduler", 200, json={"scheduler": {"schedule_time": time_of_day}}
        )

    def rescan(self) -> None:
        key = self.rng.choice(("attack-on-titan", "hells-paradise", "the-ogres-bride"))
        path = self.rng.choice(("/api/anime/rescan", f"/api/anime/{key}/rescan"))
        self.call("POST", path, 200, 202, 409)


class LockHolder(threading.Thread):
    """A long writer (think of a big scan): holds the write lock for seconds at a time,
    well within the busy timeout, so every other writer has to wait for it."""

    def __init__(self, database, rng: random.Random, stop: threading.Event):
        super().__init__(daemon=True)
        self.database = database
        self.rng = rng
        self.stop = stop
        self.held_seconds = 0.0

    def run(self) -> None:
        connection = sqlite3.connect(self.database, timeout=20, isolation_level=None)
        try:
            while not self.stop.wait(self.rng.uniform(0.5, 1.5)):
                connection.execute("BEGIN IMMEDIATE")
                seconds = self.rng.uniform(0.5, 2.5)
                time.sleep(seconds)
                connection.execute("COMMIT")
                self.held_seconds += seconds
        finally:
            connection.close()


@pytest.fixture
def app(tmp_path, world, hosters):
    hosters.slow_media(MEDIA_BYTES_PER_SECOND)
    app = start_app(tmp_path, world)
    yield app
    app.stop(signal.SIGKILL)


PRAGMAS = """
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    for pragma in ("journal_mode", "busy_timeout"):
        print(cursor.execute(f"PRAGMA {pragma}").fetchone()[0])
print(connection.transaction_mode)
"""


def database_settings_in_effect(app) -> list[str]:
    """What a Django connection of the app's processes runs with."""
    result = subprocess.run(
        [sys.executable, "-c", PRAGMAS],
        cwd=BASE_DIR,
        env=app.env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_concurrent_api_writes_and_worker_progress_never_surface_a_locked_database(app):
    # WAL (readers never wait), IMMEDIATE (no deadlocking lock upgrades), and a busy
    # timeout so that a writer waits for the lock instead of failing.
    assert database_settings_in_effect(app) == ["wal", "20000", "IMMEDIATE"]
    rng, seed = seeded_random()
    add_series(app, "attack-on-titan", "hells-paradise", "the-ogres-bride")
    queue_episodes(app, DOWNLOADABLE)
    # Each settings change first writes a backup; keeping one only, a change made at the
    # same moment deletes the other's backup right away.
    with client(app) as http:
        assert http.patch("/api/config", json={"backup": {"keep": 1}}).status_code == 200
    stop = threading.Event()
    writers = [Writer(app, random.Random(rng.random()), stop) for _ in range(WRITERS)]
    lock_holder = LockHolder(app.data_dir / "aniworld.db", random.Random(rng.random()), stop)
    for thread in [*writers, lock_holder]:
        thread.start()
    time.sleep(HAMMER_SECONDS)
    stop.set()
    for thread in [*writers, lock_holder]:
        thread.join(timeout=60)
    calls = sum((writer.calls for writer in writers), Counter())
    print(
        f"{sum(calls.values())} calls in {HAMMER_SECONDS:.0f} s, the write lock held "
        f"{lock_holder.held_seconds:.0f} s of it by another process: {dict(calls)}"
    )
    context = f"seed {seed}"
    errors = [error for writer in writers for error in writer.errors]
    assert not errors, f"{context}: {len(errors)} failed calls, first: {errors[:5]}"
    assert all(writer.failure is None for writer in writers), [w.failure for w in writers]
    status = wait_until_settled(app, timeout=120)
    assert_all_completed_once(app, status, DOWNLOADABLE, context)
    assert len(all_items(status)) >= len(DOWNLOADABLE)
    log = app.log()
    assert not [word for word in LOCKED if word in log], f"{context}: the server log:\n{log}"
