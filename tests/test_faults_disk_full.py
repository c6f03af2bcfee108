"""A full library volume: the item fails with a clear reason and nothing partial is left;
a series folder on a volume of its own still gets its episode by a rename.

The app's library is a real, tiny tmpfs (mounting needs root; elsewhere this test
skips, except on CI where it fails, and tests/test_faults_disk_full_simulated.py
covers the same error paths in-process), and Temp lies on another file system: so the download is written
hidden into the library root, where placing it is a rename. The volume is resized
between attempts so that the disk fills up while ffmpeg writes the mp4 (an HLS
stream is remuxed as its segments arrive, so the transfer and the remux are one
pass), and at last has room: the retried item then completes.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.fault_checks import (
    add_series,
    assert_library_complete,
    client,
    queue_episodes,
    queue_status,
    start_app,
)

pytestmark = [pytest.mark.slow, pytest.mark.embedded]

EPISODE = ("attack-on-titan", 1, 2)  # VOE's HLS first: remuxed to mp4 while it arrives
EPISODE_PATH = "Attack on Titan (2013)/Season 01/Attack on Titan - S01E02 - An jenem Tag.mp4"
# The episode's HLS segments are about 65 kB, its mp4 about 60 kB; the series' own
# files (data, tvshow.nfo) a few kB.
TOO_SMALL_FOR_THE_EPISODE = "48k"
ROOMY = "4m"


class SmallVolume:
    def __init__(self, path):
        self.path = path

    def mount(self, size: str, *, remount: bool = False) -> None:
        options = f"{'remount,' if remount else ''}size={size}"
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(self.path)],
            check=True,
            capture_output=True,
            text=True,
        )

    def resize(self, size: str) -> None:
        self.mount(size, remount=True)


@contextmanager
def mounted_volume(path, size: str) -> Iterator[SmallVolume]:
    """A tmpfs of ``size`` at ``path`` (made), unmounted afterwards. Mounting needs
    root: elsewhere the test skips, but not on CI (``CI=true``), which runs as root."""
    volume = SmallVolume(path)
    volume.path.mkdir(parents=True)
    try:
        volume.mount(size)
    except (OSError, subprocess.CalledProcessError) as exc:
        reason = f"cannot mount a tmpfs here (needs root): {getattr(exc, 'stderr', '') or exc}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        yield volume
    finally:
        subprocess.run(["umount", "--lazy", str(volume.path)], check=False, capture_output=True)


@pytest.fixture
def library_volume(tmp_path):
    # where start_app puts the library
    with mounted_volume(tmp_path / "library", TOO_SMALL_FOR_THE_EPISODE) as volume:
        yield volume


@pytest.fixture
def app(tmp_path, world, library_volume):
    app = start_app(tmp_path, world)
    assert app.temp_dir.stat().st_dev != library_volume.path.stat().st_dev
    yield app
    app.stop(signal.SIGKILL)


def settle(app) -> dict:
    def finished():
        items = queue_status(app)
        return not items["active"] and not items["pending"]

    app.wait_until(finished, 60, "the item is done")
    (item,) = queue_status(app)["failed"] or queue_status(app)["completed"]
    return item


def assert_failed_cleanly(app, item: dict, *words: str) -> None:
    assert item["status"] == "failed", item
    for word in words:
        assert word in item["error"], item["error"]
    assert assert_library_complete(app.library) == []
    assert not [p for p in app.library.rglob("*") if p.name.startswith(".")]
    assert list(app.temp_dir.iterdir()) == []


def retry(app, item: dict) -> None:
    response = app.post(f"/api/queue/{item['id']}/retry")
    assert response.status_code == 200, response.text


def test_a_full_library_volume_fails_the_item_clearly_and_leaves_nothing_partial(
    app, library_volume
):
    add_series(app, "attack-on-titan")

    # The check before a download: far less free than the 2 GB the settings ask for.
    queue_episodes(app, [EPISODE])
    item = settle(app)
    assert_failed_cleanly(app, item, "GB free on the library", str(library_volume.path))

    # Without that margin the disk fills up for real, while the stream is remuxed.
    with client(app) as http:
        patch = http.patch("/api/config", json={"downloads": {"min_free_space_gb": 0}})
    assert patch.status_code == 200, patch.text
    retry(app, item)
    item = settle(app)
    assert_failed_cleanly(
        app,
        item,
        f"the disk is full while remuxing .aniworld-partial-item-{item['id']}",
        "No space left on device",
    )
    assert item["hoster"] == "VOE"  # no point in trying the next hoster on a full disk

    # With room the retry completes, renamed from the library root into its folder.
    library_volume.resize(ROOMY)
    retry(app, item)
    item = settle(app)
    assert item["status"] == "completed", item
    assert assert_library_complete(app.library) == [EPISODE_PATH]
    assert list(app.temp_dir.iterdir()) == []


@pytest.fixture
def series_volume(tmp_path):
    """The series' folder on a volume of its own (a disk added when the first filled
    up), while Temp and the library root share another file system."""
    with mounted_volume(tmp_path / "library" / EPISODE_PATH.split("/")[0], ROOMY) as volume:
        yield volume


def test_a_series_folder_on_its_own_volume_gets_its_episode_by_a_rename(
    tmp_path, world, series_volume
):
    app = start_app(tmp_path, world)
    try:
        assert app.temp_dir.stat().st_dev == app.library.stat().st_dev
        assert series_volume.path.stat().st_dev != app.library.stat().st_dev
        add_series(app, "attack-on-titan")
        queue_episodes(app, [EPISODE])

        item = settle(app)

        assert item["status"] == "completed", item
        assert assert_library_complete(app.library) == [EPISODE_PATH]
        assert not [p for p in app.library.rglob("*") if p.name.startswith(".")]
        assert list(app.temp_dir.iterdir()) == []
    finally:
        app.stop(signal.SIGKILL)
