"""Shared by the fault tests (tests/test_faults_*.py): the app under test, a seeded
source of randomness, and what must hold after every fault.

After any fault the queue is in a legal state (every status one of the five, at
most one item downloading, at most one live item per episode, nothing lost),
Temp holds nothing but the files of the item being downloaded, and the library
holds only complete, playable files under their final names.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import httpx

from downloads.media import verify_media
from tests.processes import ServeProcess, command_line

LEGAL_STATUSES = {"pending", "downloading", "completed", "failed", "cancelled"}
LIVE_STATUSES = {"pending", "downloading", "completed"}
# Every episode of the fake aniworld.to that has hoster links (tests/fakes/index_catalogue.py).
DOWNLOADABLE = (
    ("attack-on-titan", 1, 1),
    ("attack-on-titan", 1, 2),
    ("attack-on-titan", 2, 1),
    ("attack-on-titan", 0, 1),
    ("hells-paradise", 1, 1),
    ("hells-paradise", 1, 2),
    ("the-ogres-bride", 1, 10),
)
LIBRARY_EXTRAS = {".nfo", ".jpg", ".png", ".json", ""}  # the `data` file, NFO and artwork
# The supervisor's crash-loop guard stops the app after 3 restarts a minute; the
# fault tests kill children on purpose far more often than that.
RESTART_LIMIT = 1000
WIND_DOWN_SECONDS = 10.0  # an ended item's worker stops its tools and removes its files

Episode = tuple[str, int, int]


def seeded_random(seed_variable: str = "ANIWORLD_FAULT_SEED") -> tuple[random.Random, int]:
    """A ``random.Random`` whose seed is printed, so a failing run can be replayed."""
    seed = int(os.environ.get(seed_variable) or random.SystemRandom().randrange(2**32))
    print(f"fault seed {seed} (replay with {seed_variable}={seed})")
    return random.Random(seed), seed


def start_app(
    tmp_path: Path, world, *, env: dict[str, str] | None = None, via_make: bool = False
) -> ServeProcess:
    """``manage.py serve`` (or ``make run``) on embedded SQLite, its library in
    ``tmp_path/library``."""
    library = tmp_path / "library"
    library.mkdir(exist_ok=True)
    app = ServeProcess(
        tmp_path,
        env={
            "ANIWORLD_SITE_URL": world.url,
            "ANIME_DIRECTORY": str(library),
            "ANIWORLD_INDEX_RATE": "200",
            "DATABASE_URL": "",
            "REDIS_URL": "",
            **(env or {}),
        },
        restart_limit=None if via_make else RESTART_LIMIT,
        via_make=via_make,
    )
    app.temp_dir = Path(app.env["ANIWORLD_TEMP_DIR"])
    app.library = library
    app.start()
    app.log_in()
    return app


def client(app: ServeProcess, timeout: float = 30) -> httpx.Client:
    return httpx.Client(
        base_url=app.url, headers={"Authorization": f"Bearer {app.token}"}, timeout=timeout
    )


def add_series(app: ServeProcess, *keys: str) -> None:
    for key in keys:
        response = app.post("/api/anime/", json={"key": key, "site": "aniworld.to"})
        assert response.status_code == 201, response.text
    for key in keys:
        app.wait_until(
            lambda key=key: app.get(f"/api/anime/{key}").json()["state"] == "ready",
            60,
            f"the episodes of {key} load",
        )


def queue_episodes(app: ServeProcess, episodes: Iterable[Episode]) -> None:
    for series_key, season, number in episodes:
        body = {"series_key": series_key, "episodes": [{"season": season, "episode": number}]}
        response = app.post("/api/queue/add", json=body)
        assert response.status_code == 201, response.text
        assert len(response.json()["added"]) == 1, response.text


def queue_status(app: ServeProcess) -> dict:
    response = app.get("/api/queue/status")
    assert response.status_code == 200, response.text
    return response.json()


def all_items(status: dict) -> list[dict]:
    """Every item of a ``/api/queue/status`` answer (cancelled ones are among "completed")."""
    active = [status["active"]] if status["active"] else []
    return active + status["pending"] + status["completed"] + status["failed"]


def episode_of(item: dict) -> Episode:
    return (item["series_key"], item["season"], item["episode"])


def active_ids(status: dict) -> set[int]:
    return {status["active"]["id"]} if status["active"] else set()


def children_running(app: ServeProcess, program: str) -> list[int]:
    pids = []
    for pid in app.children():
        try:
            if program in command_line(pid):  # empty for a zombie
                pids.append(pid)
        except FileNotFoundError:  # gone between the two looks
            continue
    return pids


def worker_pids(app: ServeProcess) -> list[int]:
    return children_running(app, "qcluster")


def web_pids(app: ServeProcess) -> list[int]:
    return children_running(app, "daphne")


def wait_for_child(app: ServeProcess, find: Callable[[ServeProcess], list[int]], old: int) -> int:
    """The pid of the child that replaced ``old`` (the supervisor restarts it)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        pids = [pid for pid in find(app) if pid != old]
        if pids:
            return pids[0]
        time.sleep(0.02)
    raise AssertionError(f"no new child replaced {old}:\n{app.log()}")


def kill_group(pid: int) -> None:
    """kill -9 a child and its helpers (cluster workers, ffmpeg), no chance to clean up."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


# -- the invariants -------------------------------------------------------------


def assert_queue_legal(items: list[dict], context: str = "") -> None:
    """Statuses legal, at most one downloading, at most one live item per episode."""
    statuses = Counter(item["status"] for item in items)
    assert set(statuses) <= LEGAL_STATUSES, f"{context}: illegal statuses {statuses}"
    assert statuses["downloading"] <= 1, f"{context}: {statuses['downloading']} downloading"
    live = Counter(episode_of(item) for item in items if item["status"] in LIVE_STATUSES)
    duplicated = {episode: n for episode, n in live.items() if n > 1}
    assert not duplicated, f"{context}: episodes queued twice: {duplicated}"
    assert len({item["id"] for item in items}) == len(items), f"{context}: an item listed twice"


def assert_temp_holds_only_active(app: ServeProcess, context: str = "") -> dict:
    """Temp holds only files of the item downloading around the look.

    An item that just ended (cancelled while it downloaded, failed, completed) may
    keep its files for a moment: the API marks a cancel at once and the worker
    notices it within half a second, then stops the fetch or ffmpeg and removes the
    files. Such strays must be gone within ``WIND_DOWN_SECONDS``.

    Returns the queue status read just after the last look.
    """
    deadline = time.monotonic() + WIND_DOWN_SECONDS
    while True:
        before = queue_status(app)
        entries = sorted(p.name for p in app.temp_dir.iterdir()) if app.temp_dir.exists() else []
        after = queue_status(app)
        allowed_ids = active_ids(before) | active_ids(after)
        allowed = tuple(f"item-{item_id}." for item_id in allowed_ids)
        strays = [name for name in entries if not (allowed and name.startswith(allowed))]
        if not strays:
            return after
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{context}: Temp still holds {strays} after {WIND_DOWN_SECONDS} s "
                f"(active: {allowed_ids or 'none'})"
            )
        time.sleep(0.1)


def library_files(library: Path) -> list[Path]:
    return sorted(p for p in library.rglob("*") if p.is_file())


_verified: set[tuple] = set()  # files verify_media passed, as they were then


def assert_library_complete(library: Path, context: str = "") -> list[str]:
    """Only complete files under final names; returns the episodes' paths (relative)."""
    videos = []
    for path in library_files(library):
        relative = path.relative_to(library).as_posix()
        assert not any(part.startswith(".") for part in path.relative_to(library).parts), (
            f"{context}: hidden (partial) file in the library: {relative}"
        )
        assert "part" not in path.name.lower(), f"{context}: partial file: {relative}"
        assert "item-" not in path.name, f"{context}: a temp file in the library: {relative}"
        if path.suffix == ".mp4":
            stat = path.stat()
            identity = (path, stat.st_ino, stat.st_size, stat.st_mtime_ns)
            if identity not in _verified:
                verify_media(path)  # raises when it is cut off or not a video
                _verified.add(identity)
            videos.append(relative)
        else:
            assert path.suffix in LIBRARY_EXTRAS, f"{context}: unexpected file {relative}"
    return videos


def wait_until_settled(app: ServeProcess, timeout: float = 90) -> dict:
    """The queue status once nothing is pending or downloading any more."""

    def settled():
        stats = queue_status(app)["stats"]
        return stats["pending"] == 0 and stats["downloading"] == 0

    app.wait_until(settled, timeout, "the queue is worked off")
    return queue_status(app)


def assert_all_completed_once(
    app: ServeProcess, status: dict, episodes: Iterable[Episode], context: str = ""
) -> None:
    """Each episode has one completed item and one file in the library; Temp is empty."""
    items = all_items(status)
    assert_queue_legal(items, context)
    assert not status["failed"], f"{context}: failed items: {status['failed']}"
    completed = Counter(episode_of(i) for i in items if i["status"] == "completed")
    assert completed == Counter(set(episodes)), f"{context}: completed {completed}"
    videos = assert_library_complete(app.library, context)
    files = {i["file_path"] for i in items if i["status"] == "completed"}
    assert sorted(files) == sorted(videos), f"{context}: library {videos} vs queue {files}"
    assert not list(app.temp_dir.iterdir()), f"{context}: Temp is not empty"
