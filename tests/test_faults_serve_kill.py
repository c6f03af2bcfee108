"""Stopping and killing the whole app (`serve`, `make run`) in the middle of downloads.

A stop (Ctrl+C to ``serve``, SIGTERM to ``make run``) during a download ends it
at once: one "stopped" line, no further request to the site, every process
gone, the item back to pending.

``kill -9`` of the supervisor alone leaves its children winding down (they get
SIGTERM and see the lifeline cut); a ``serve`` started then waits for them
through the instance lock instead of racing them. ``kill -9`` of the whole
process tree leaves an item ``downloading`` that the next start returns to the
queue. Either way (the rounds alternate), 20 times in a row mid-download, nothing is cancelled that
nobody cancelled, nothing is lost or duplicated, and the queue drains. The seed
is printed; replay with ``ANIWORLD_FAULT_SEED=<seed>``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sqlite3
import time

import pytest

from tests.fault_checks import (
    DOWNLOADABLE,
    add_series,
    all_items,
    assert_all_completed_once,
    assert_library_complete,
    assert_queue_legal,
    assert_temp_holds_only_active,
    episode_of,
    queue_episodes,
    queue_status,
    seeded_random,
    start_app,
    wait_until_settled,
)
from tests.processes import ServeProcess, alive, descendants

pytestmark = [pytest.mark.slow, pytest.mark.embedded]

ROUNDS = 20
# ~2 s an episode (its ~22 kB segments in parallel): a killed serve leaves one running
MEDIA_BYTES_PER_SECOND = 10_000
# ~7 s a segment: a stop sent once bytes flow cannot miss the transfer and meet a
# finished item instead (at 20 kB/s it once did).
STOP_TEST_BYTES_PER_SECOND = 3_000
STOP_LINE = "stopped; it will resume from the start"


def transfer_running(app: ServeProcess) -> bool:
    active = queue_status(app)["active"]
    return bool(active and active["progress"]["downloaded_bytes"] > 0)


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError, KeyError, AssertionError):
            if condition():
                return True
        time.sleep(0.05)
    return False


def item_statuses(app: ServeProcess) -> list[str]:
    with contextlib.closing(sqlite3.connect(app.data_dir / "aniworld.db")) as db:
        return [row[0] for row in db.execute("SELECT status FROM downloads_downloaditem")]


def site_requests(world) -> int:
    return len(world.requested_paths())


@pytest.mark.parametrize(
    ("via_make", "stop_signal"),
    [
        pytest.param(False, signal.SIGINT, id="ctrl-c to serve"),
        pytest.param(
            True,
            signal.SIGTERM,
            id="sigterm to make run",
            marks=pytest.mark.skipif(shutil.which("make") is None, reason="make not installed"),
        ),
    ],
)
def test_a_stop_during_a_download_is_quick_and_quiet(
    tmp_path, world, hosters, via_make, stop_signal
):
    hosters.slow_media(STOP_TEST_BYTES_PER_SECOND)  # the stop lands mid-transfer
    app = start_app(tmp_path, world, via_make=via_make)
    try:
        add_series(app, "attack-on-titan")
        queue_episodes(app, [("attack-on-titan", 1, 2), ("attack-on-titan", 1, 1)])
        app.wait_until(lambda: transfer_running(app), 60, "a transfer runs")
        tree = [app.process.pid, *descendants(app.process.pid)]
        requests_before = site_requests(world)
        app.process.send_signal(stop_signal)
        app.process.wait(timeout=40)
        assert wait_for(lambda: not any(alive(pid) for pid in tree), 10), app.log()
        log = app.log()
        assert log.count(STOP_LINE) == 1, log
        assert "did not stop within" not in log, log
        assert site_requests(world) == requests_before
        assert sorted(item_statuses(app)) == ["pending", "pending"]
        assert [p.name for p in app.temp_dir.iterdir()] == []
    finally:
        app.stop(signal.SIGKILL)


def kill_supervisor(app: ServeProcess) -> None:
    app.process.kill()
    app.process.wait()


def kill_tree(app: ServeProcess) -> None:
    for pid in [app.process.pid, *descendants(app.process.pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    app.process.wait()


def restart(app: ServeProcess, tmp_path) -> ServeProcess:
    """A new serve on the same data dir, as the owner (or systemd) starts one after a kill."""
    app._log.close()
    again = ServeProcess(tmp_path, env=app.env, restart_limit=app.restart_limit)
    again.temp_dir, again.library, again.token = app.temp_dir, app.library, app.token
    return again.start()


@pytest.mark.timeout(900)  # 20 full restarts of the app; each costs seconds on a busy machine
def test_serve_killed_mid_download_twenty_times_cancels_and_loses_nothing(tmp_path, world, hosters):
    rng, seed = seeded_random()
    hosters.slow_media(MEDIA_BYTES_PER_SECOND)
    app = start_app(tmp_path, world)
    try:
        add_series(app, "attack-on-titan", "hells-paradise", "the-ogres-bride")
        queue_episodes(app, DOWNLOADABLE)
        rounds = []
        started = time.monotonic()
        for round_number in range(1, ROUNDS + 1):
            kill = (kill_supervisor, kill_tree)[round_number % 2]
            hit = "transfer" if wait_for(lambda app=app: transfer_running(app), 8) else "idle"
            time.sleep(rng.uniform(0, 0.6))
            kill(app)
            app = restart(app, tmp_path)
            context = f"seed {seed}, round {round_number} ({kill.__name__} during {hit})"
            status = assert_temp_holds_only_active(app, context)
            items = all_items(status)
            assert_queue_legal(items, context)
            assert sorted(episode_of(i) for i in items) == sorted(DOWNLOADABLE), context
            assert not status["stats"]["cancelled"], f"{context}: nobody cancelled anything"
            assert not status["failed"], f"{context}: {status['failed']}"
            assert_library_complete(app.library, context)
            rounds.append(f"{round_number}:{kill.__name__}:{hit}:{status['stats']['completed']}")
        print(f"{ROUNDS} kills in {time.monotonic() - started:.0f} s: {' '.join(rounds)}")
        status = wait_until_settled(app)
        assert not status["stats"]["cancelled"], f"seed {seed}: items cancelled at the end"
        assert_all_completed_once(app, status, DOWNLOADABLE, f"seed {seed}, at the end")
    finally:
        app.stop(signal.SIGKILL)
