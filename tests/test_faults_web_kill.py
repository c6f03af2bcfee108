"""kill -9 of the web process while API calls run, 20 rounds, one running app.

A client thread keeps adding, cancelling, reordering and re-prioritising queue
items (a seeded sequence) while the worker downloads; the test kills the
daphne process at random moments and the supervisor restarts it. Calls cut off
by a kill are retried, as a careful client does (a cancel first looks whether
it already happened, because DELETE of a cancelled item removes it). After every
restart the queue matches what the client did, Temp and the library are sound;
at the end every episode the client still wants is downloaded exactly once.
"""

from __future__ import annotations

import random
import signal
import threading
import time
from collections import Counter

import httpx
import pytest

from tests.fault_checks import (
    DOWNLOADABLE,
    Episode,
    add_series,
    all_items,
    assert_library_complete,
    assert_queue_legal,
    assert_temp_holds_only_active,
    client,
    episode_of,
    kill_group,
    seeded_random,
    start_app,
    wait_for_child,
    wait_until_settled,
    web_pids,
)

pytestmark = [pytest.mark.slow, pytest.mark.embedded]

ROUNDS = 20
MEDIA_BYTES_PER_SECOND = 10_000  # ~2 s an episode (segments in parallel): downloads run throughout
RETRY_FOR_SECONDS = 30.0


class QueueClient(threading.Thread):
    """The API user: a seeded sequence of queue operations, each retried after a
    connection error until it went through; ``state`` says what it asked for."""

    def __init__(self, app, rng: random.Random):
        super().__init__(daemon=True)
        self.http = client(app)
        self.rng = rng
        self.lock = threading.Lock()  # held for one operation, retries included
        self.done = threading.Event()
        self.state: dict[Episode, str] = {}  # wanted | cancelled | removed
        self.server_errors: list[str] = []
        self.retried = Counter()
        self.operations = Counter()
        self.failure: BaseException | None = None
        self.writing = threading.Event()  # a POST, PATCH or DELETE is on its way

    def run(self) -> None:
        try:
            while not self.done.is_set():
                with self.lock:
                    operation = self.rng.choice(
                        (self.add, self.add, self.cancel, self.reorder, self.reprioritise)
                    )
                    operation()
                    self.operations[operation.__name__] += 1
                time.sleep(self.rng.uniform(0, 0.25))
        except BaseException as exc:
            self.failure = exc
            raise
        finally:
            self.http.close()

    # -- one call, retried ------------------------------------------------------

    def call(self, method: str, path: str, already_done=None, **kwargs) -> httpx.Response | None:
        """The response, or None when ``already_done()`` finds the cut-off call went through."""
        deadline = time.monotonic() + RETRY_FOR_SECONDS
        first = True
        while True:
            if not first and already_done is not None and already_done():
                return None
            first = False
            try:
                if method != "GET":
                    self.writing.set()
                try:
                    response = self.http.request(method, path, **kwargs)
                finally:
                    self.writing.clear()
            except httpx.TransportError as exc:
                if time.monotonic() > deadline:
                    raise AssertionError(f"{method} {path} kept failing: {exc!r}") from exc
                self.retried[f"{method} {path.split('/')[2]} ({type(exc).__name__})"] += 1
                time.sleep(0.05)
                continue
            if response.status_code >= 500 or "database is locked" in response.text:
                self.server_errors.append(
                    f"{method} {path}: {response.status_code} {response.text}"
                )
            return response

    def items(self) -> list[dict]:
        return all_items(self.call("GET", "/api/queue/status").json())

    # -- the operations -----------------------------------------------------------

    def add(self) -> None:
        choices = [e for e in DOWNLOADABLE if self.state.get(e) in (None, "cancelled")]
        if not choices:
            return
        series_key, season, number = episode = self.rng.choice(choices)
        body = {
            "series_key": series_key,
            "episodes": [{"season": season, "episode": number}],
            "priority": self.rng.choice(("high", "normal", "low")),
        }
        response = self.call("POST", "/api/queue/add", json=body)
        assert response.status_code == 201, response.text
        skipped = response.json()["skipped"]
        if skipped and skipped[0]["reason"] == "already downloaded":
            # A cut-off first try went through and finished, or a cancel came too late
            # to stop the file's move into the library.
            self.state[episode] = "on disk"
        else:  # added, or queued by a cut-off first try
            self.state[episode] = "wanted"

    def cancel(self) -> None:
        pending = [i for i in self.items() if i["status"] == "pending"]
        if not pending:
            return
        item = self.rng.choice(pending)

        def already_done() -> bool:
            now = {i["id"]: i["status"] for i in self.items()}
            return now.get(item["id"], "removed") in ("cancelled", "removed")

        response = self.call("DELETE", f"/api/queue/{item['id']}", already_done)
        if response is None:  # the cut-off call went through
            gone = item["id"] not in {i["id"] for i in self.items()}
            self.state[episode_of(item)] = "removed" if gone else "cancelled"
            return
        assert response.status_code == 200, response.text
        # "removed": it completed meanwhile and DELETE took the finished item off the list.
        self.state[episode_of(item)] = response.json()["result"]

    def reorder(self) -> None:
        ids = [i["id"] for i in self.items() if i["status"] == "pending"]
        self.rng.shuffle(ids)
        response = self.call("POST", "/api/queue/reorder", json={"item_ids": ids})
        if response.status_code == 422:  # the worker took one between the list and the call
            details = response.json()["details"]
            assert details["item_ids"][0].startswith("not pending: "), response.text
        else:
            assert response.status_code == 200, response.text

    def reprioritise(self) -> None:
        pending = [i for i in self.items() if i["status"] == "pending"]
        if not pending:
            return
        item = self.rng.choice(pending)
        priority = self.rng.choice(("high", "normal", "low"))
        response = self.call("PATCH", f"/api/queue/{item['id']}", json={"priority": priority})
        if response.status_code == 409:  # the worker took it between the list and the call
            assert response.json()["error"] == "ILLEGAL_TRANSITION", response.text
        else:
            assert response.status_code == 200, response.text


def assert_queue_matches(items: list[dict], state: dict[Episode, str], context: str) -> None:
    """Nothing lost, nothing duplicated, nothing the client did not ask for."""
    assert_queue_legal(items, context)
    live = Counter(episode_of(i) for i in items if i["status"] != "cancelled")
    for episode in DOWNLOADABLE:
        expected = {"wanted": {1}, "on disk": {0, 1}}.get(state.get(episode), {0})
        assert live[episode] in expected, f"{context}: {episode} ({state.get(episode)})"


@pytest.fixture
def app(tmp_path, world, hosters):
    hosters.slow_media(MEDIA_BYTES_PER_SECOND)
    app = start_app(tmp_path, world)
    yield app
    app.stop(signal.SIGKILL)


def test_the_web_process_killed_during_api_calls_loses_and_duplicates_nothing(app):
    rng, seed = seeded_random()
    add_series(app, "attack-on-titan", "hells-paradise", "the-ogres-bride")
    user = QueueClient(app, random.Random(rng.random()))
    user.start()
    (web,) = web_pids(app)
    started = time.monotonic()
    try:
        for round_number in range(1, ROUNDS + 1):
            if rng.random() < 0.5:  # while a write is on its way, or just arrived
                user.writing.wait(timeout=5)
                time.sleep(rng.uniform(0, 0.03))
            else:
                time.sleep(rng.uniform(0.05, 0.6))
            kill_group(web)
            web = wait_for_child(app, web_pids, web)
            app.wait_until(lambda: app.get("/health").status_code == 200, 30, "web answers")
            context = f"seed {seed}, round {round_number}"
            with user.lock:  # between two operations of the client
                status = assert_temp_holds_only_active(app, context)
                assert_queue_matches(all_items(status), user.state, context)
                assert_library_complete(app.library, context)
                assert not user.server_errors, f"{context}: {user.server_errors}"
                assert user.failure is None, f"{context}: the client failed: {user.failure!r}"
    finally:
        user.done.set()
        user.join(timeout=60)
    print(
        f"{ROUNDS} kills in {time.monotonic() - started:.0f} s; operations "
        f"{dict(user.operations)}; retried after a cut-off {dict(user.retried)}; "
        f"client wants {Counter(user.state.values())}"
    )
    context = f"seed {seed}, at the end"
    status = wait_until_settled(app)
    items = all_items(status)
    assert_queue_matches(items, user.state, context)
    assert not status["failed"], f"{context}: {status['failed']}"
    wanted = {e for e, state in user.state.items() if state == "wanted"}
    on_disk = {e for e, state in user.state.items() if state == "on disk"}
    completed = Counter(episode_of(i) for i in items if i["status"] == "completed")
    assert wanted <= set(completed) <= wanted | on_disk, context
    assert set(completed.values()) <= {1}, context
    videos = assert_library_complete(app.library, context)
    recorded = {i["file_path"] for i in items if i["status"] == "completed"}
    assert recorded <= set(videos), context
    # Beside those, only files of items cancelled (or taken off the list) just as they landed.
    extra = len(videos) - len(recorded)
    assert extra <= sum(1 for s in user.state.values() if s != "wanted"), f"{context}: {videos}"
    assert not list(app.temp_dir.iterdir()), f"{context}: Temp is not empty"
    assert not user.server_errors, f"{context}: {user.server_errors}"
    assert user.failure is None, f"{context}: the client failed: {user.failure!r}"
