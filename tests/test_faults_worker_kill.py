"""kill -9 of the worker at random points of downloads, 20 rounds, one running app.

Each round picks a moment (the worker starting up or claiming, the transfer,
the remux and verification, the file landing in the library), kills the
worker's whole process group there, and waits for the supervisor to restart
it. After every restart the queue, Temp and the library must be sound; at the
end every episode is downloaded exactly once. The seed is printed; replay a
failure with ``ANIWORLD_FAULT_SEED=<seed>``. The printed log of rounds reads
``round:phase:completed``; a ``!`` marks a kill between the file's move into the
library and the item's completion.
"""

from __future__ import annotations

import signal
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
    kill_group,
    library_files,
    queue_episodes,
    queue_status,
    seeded_random,
    start_app,
    wait_for_child,
    wait_until_settled,
    worker_pids,
)

pytestmark = [pytest.mark.slow, pytest.mark.embedded]

ROUNDS = 20
# Under a second for one episode's transfer (its ~22 kB segments in parallel): a few
# progress updates, time to aim.
MEDIA_BYTES_PER_SECOND = 33_000
PHASES = ("starting", "transfer", "remux-verify", "final-move")
PHASE_TIMEOUT = 8.0


@pytest.fixture
def app(tmp_path, world, hosters):
    hosters.slow_media(MEDIA_BYTES_PER_SECOND)
    app = start_app(tmp_path, world)
    yield app
    app.stop(signal.SIGKILL)


def transfer_running(app) -> bool:
    active = queue_status(app)["active"]
    return bool(active and active["progress"]["downloaded_bytes"] > 0)


def transfer_done(app) -> bool:
    """Temp holds the finished transfer, the remux output or the final mp4."""
    return any(
        "part" not in p.name and not p.name.endswith(".ytdl") for p in app.temp_dir.iterdir()
    )


def verified_in_temp(app) -> bool:
    """The final mp4 is in Temp: verification runs, the move into the library is next."""
    return any(p.suffix == ".mp4" and p.name.count(".") == 1 for p in app.temp_dir.iterdir())


def poll(condition, interval: float, timeout: float = PHASE_TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(interval)
    return False


def aim(app, phase: str, rng) -> str:
    """Wait for the moment of ``phase``; say what was hit ("idle" when nothing ran)."""
    if phase == "starting":
        time.sleep(rng.uniform(0, 1.0))
        return phase
    if phase == "transfer":
        if not poll(lambda: transfer_running(app), 0.05):
            return "idle"
        time.sleep(rng.uniform(0, 0.5))
        return phase
    if phase == "remux-verify":
        if not poll(lambda: transfer_done(app), 0.002):
            return "idle"
        time.sleep(rng.uniform(0, 0.15))  # ffmpeg remuxes, then reads the mp4 back
        return phase
    known = set(library_files(app.library))
    if not poll(lambda: verified_in_temp(app), 0.01):
        return "idle"
    landed = poll(lambda: set(library_files(app.library)) - known, 0.001, timeout=2.0)
    return phase if landed else "idle"


def test_the_worker_killed_at_random_moments_loses_and_duplicates_nothing(app):
    rng, seed = seeded_random()
    add_series(app, "attack-on-titan", "hells-paradise", "the-ogres-bride")
    queue_episodes(app, DOWNLOADABLE)
    log = []
    landed_early: set[str] = set()
    (worker,) = worker_pids(app)
    started = time.monotonic()
    for round_number in range(1, ROUNDS + 1):
        phase = aim(app, rng.choice(PHASES), rng)
        kill_group(worker)
        worker = wait_for_child(app, worker_pids, worker)
        context = f"seed {seed}, round {round_number} ({phase})"
        after = assert_temp_holds_only_active(app, context)
        items = all_items(after)
        assert_queue_legal(items, context)
        assert sorted(episode_of(i) for i in items) == sorted(DOWNLOADABLE), context
        assert not after["failed"], f"{context}: {after['failed']}"
        videos = assert_library_complete(app.library, context)
        recorded = {i["file_path"] for i in items if i["status"] == "completed"}
        if set(videos) - recorded - landed_early:  # killed after the move, before completion
            phase += "!"
        landed_early = set(videos) - recorded
        log.append(f"{round_number}:{phase}:{after['stats']['completed']}")
    print(f"{ROUNDS} kills in {time.monotonic() - started:.0f} s: {' '.join(log)}")
    status = wait_until_settled(app)
    assert_all_completed_once(app, status, DOWNLOADABLE, f"seed {seed}, at the end")
