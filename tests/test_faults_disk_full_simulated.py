"""A full temp disk, simulated in-process: runs everywhere, also where no tmpfs can
be mounted (tests/test_faults_disk_full.py uses a real one).

The real worker downloads through the real yt-dlp and ffmpeg; only the disk is
faked, below our code: yt-dlp's file opener hands out files whose writes fail
with ENOSPC once a few kilobytes are written, and ffmpeg's remux output is
``/dev/full``, where every write fails with ENOSPC from the kernel.
"""

from __future__ import annotations

import errno
import os

import pytest
import yt_dlp.downloader.common
from django.conf import settings

from downloads.models import DownloadItem

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("library_root")]

DISK_ROOM_BYTES = 16_000


class FullDiskFile:
    """A file on a disk with ``room`` bytes left for every file together."""

    def __init__(self, stream, disk: dict):
        self._stream = stream
        self._disk = disk

    def write(self, data) -> int:
        if self._disk["written"] + len(data) > DISK_ROOM_BYTES:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self._disk["written"] += len(data)
        return self._stream.write(data)

    def __getattr__(self, name):
        return getattr(self._stream, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._stream.close()


@pytest.fixture
def full_temp_disk(monkeypatch):
    disk = {"written": 0}
    real_open = yt_dlp.downloader.common.sanitize_open

    def sanitize_open(filename, open_mode):
        stream, name = real_open(filename, open_mode)
        writing = any(mode in open_mode for mode in "wa")
        if writing and os.path.dirname(os.path.abspath(name)) == str(settings.TEMP_DIR):
            return FullDiskFile(stream, disk), name
        return stream, name

    monkeypatch.setattr(yt_dlp.downloader.common, "sanitize_open", sanitize_open)
    return disk


@pytest.fixture
def series(api, world):
    response = api.post(
        "/api/anime/", {"key": "attack-on-titan", "site": "aniworld.to"}, format="json"
    )
    assert response.status_code == 201
    from aniworld import config

    config.store().update({"downloads": {"min_free_space_gb": 0}})


def download(api) -> DownloadItem:
    body = {"series_key": "attack-on-titan", "episodes": [{"season": 1, "episode": 2}]}
    response = api.post("/api/queue/add", body, format="json")
    assert response.status_code == 201, response.json()
    return DownloadItem.objects.get(id=response.json()["added"][0]["id"])


def assert_nothing_partial(library_root) -> None:
    files = [p.relative_to(library_root).as_posix() for p in library_root.rglob("*") if p.is_file()]
    assert files == ["Attack on Titan (2013)/data"]
    assert list(settings.TEMP_DIR.iterdir()) == []


@pytest.mark.parametrize(
    "hoster",
    [
        pytest.param("VOE", id="hls-fragments"),
        pytest.param("Vidoza", id="http-mp4"),
    ],
)
def test_a_disk_full_during_the_transfer_fails_the_item_clearly(
    api, series, hosters, full_temp_disk, library_root, hoster
):
    if hoster == "Vidoza":
        hosters.break_page("VOE")
    item = download(api)
    assert item.status == "failed"
    assert item.error.startswith("the disk is full"), item.error
    assert "No space left on device" in item.error
    assert item.hoster == hoster
    assert full_temp_disk["written"] > 0
    assert_nothing_partial(library_root)


def test_a_disk_full_during_the_remux_fails_the_item_clearly(api, series, library_root):
    api.post("/api/queue/stop")
    item = download(api)
    assert item.status == "pending"
    # Where ffmpeg writes the remuxed episode; download_media keeps what is not a regular file.
    remux_output = settings.TEMP_DIR / f"item-{item.id}.remux.mp4"
    remux_output.symlink_to("/dev/full")
    try:
        api.post("/api/queue/start")  # the worker runs the item inline
    finally:
        remux_output.unlink()
    item.refresh_from_db()
    assert item.status == "failed"
    assert item.error == f"the disk is full while remuxing item-{item.id}.ts"
    assert item.hoster == "VOE"
    assert_nothing_partial(library_root)
