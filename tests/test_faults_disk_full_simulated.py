"""A full temp disk, simulated in-process: runs everywhere, also where no tmpfs can
be mounted (tests/test_faults_disk_full.py uses a real one).

The real worker downloads through the real fetcher and ffmpeg; only the disk is
full: the file the download writes (a plain file's ``.part``, or the mp4 that
ffmpeg writes while an HLS stream arrives) is ``/dev/full``, where every write
fails with ENOSPC from the kernel.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from aniworld import config
from downloads.models import DownloadItem
from tests.factories import queue_episode

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("library_root")]


@pytest.fixture
def series(series):
    """The shared series, and no free-space minimum: the download starts whatever the
    disk holds, and its writes are what find the disk full."""
    config.store().update({"downloads": {"min_free_space_gb": 0}})
    return series


def assert_nothing_partial(library_root) -> None:
    files = [p.relative_to(library_root).as_posix() for p in library_root.rglob("*") if p.is_file()]
    assert files == ["Attack on Titan (2013)/data"]
    assert list(settings.TEMP_DIR.iterdir()) == []


def run_on_a_full_disk(api, written_file: str) -> DownloadItem:
    """Queue the episode with the queue stopped, make the file the download will write
    ``/dev/full``, then let the worker run it (inline)."""
    api.post("/api/queue/stop")
    item = queue_episode(api)
    assert item.status == "pending"
    # download_media removes only regular files it left before; this one stays.
    target = settings.TEMP_DIR / written_file.format(id=item.id)
    target.symlink_to("/dev/full")
    try:
        api.post("/api/queue/start")
    finally:
        target.unlink()
    item.refresh_from_db()
    return item


def test_a_disk_full_while_an_hls_stream_is_remuxed_fails_the_item_clearly(
    api, series, hosters, library_root
):
    item = run_on_a_full_disk(api, "item-{id}.remux.mp4")

    assert item.status == "failed"
    assert item.error == (
        f"the disk is full while remuxing item-{item.id} (No space left on device)"
    )
    assert item.hoster == "VOE"  # no point in trying the next hoster on a full disk
    assert hosters.media_requests("/voe/hls/seg")
    assert_nothing_partial(library_root)


def test_a_disk_full_while_a_file_is_written_fails_the_item_clearly(
    api, series, hosters, library_root
):
    hosters.break_page("VOE")

    item = run_on_a_full_disk(api, "item-{id}.part")

    assert item.status == "failed"
    assert item.error.startswith("the disk is full"), item.error
    assert "No space left on device" in item.error
    assert item.hoster == "Vidoza"
    assert hosters.media_requests("/vidoza/")
    assert_nothing_partial(library_root)
