"""Temp on another file system than the library: the download is written hidden in the
library root so that placing stays a rename, and no hidden partial outlives a failure,
a stop, or a kill (the next start removes it)."""

from __future__ import annotations

import pytest
from django.conf import settings

from aniworld import config, progress, startup, tempdir
from downloads import queue
from downloads.models import DownloadItem, QueueState
from downloads.worker import DownloadWorker, ItemJob

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("library_root")]

AOT = "Attack on Titan (2013)"
EPISODE = f"{AOT}/Season 01/Attack on Titan - S01E02 - An jenem Tag.mp4"


@pytest.fixture
def temp_elsewhere(monkeypatch, library_root):
    """Temp on one device, the library on another (both really lie under tmp_path)."""
    temp = settings.TEMP_DIR.resolve()

    def device_of(path):
        return 1 if path.resolve() == temp else 2

    monkeypatch.setattr(tempdir, "device_of", device_of)


@pytest.fixture
def seen_while_downloading(monkeypatch, hosters, library_root):
    """The files in Temp and in the library root at every progress event of a download."""
    hosters.slow_media(60_000)  # ~0.4 s a segment: a few events while the bytes arrive
    seen = []
    publish = progress.publish

    def record(room, event_type, data):
        if event_type == "download_progress":
            seen.append(
                (
                    sorted(p.name for p in settings.TEMP_DIR.iterdir()),
                    sorted(p.name for p in library_root.iterdir() if p.is_file()),
                )
            )
        publish(room, event_type, data)

    monkeypatch.setattr(progress, "publish", record)
    return seen


def queued(api) -> int:
    api.post("/api/queue/stop")
    body = {"series_key": "attack-on-titan", "episodes": [{"season": 1, "episode": 2}]}
    (added,) = api.post("/api/queue/add", body, format="json").json()["added"]
    QueueState.objects.update(is_running=True)
    return added["id"]


def hidden_files(root) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix() for p in root.rglob(".*") if p.is_file() or p.is_symlink()
    )


def test_a_download_is_written_hidden_in_the_library_root_and_renamed_into_place(
    api, series, library_root, temp_elsewhere, seen_while_downloading
):
    item_id = queued(api)

    assert DownloadWorker().process_one() is True

    item = DownloadItem.objects.get(id=item_id)
    assert item.status == "completed", item.error
    assert item.file_path == EPISODE
    assert (library_root / EPISODE).is_file()
    assert seen_while_downloading, "no progress while downloading"
    partial = f".aniworld-partial-item-{item_id}."
    assert all(temp_files == [] for temp_files, _ in seen_while_downloading)
    assert any(
        name.startswith(partial) for _, root_files in seen_while_downloading for name in root_files
    )
    assert hidden_files(library_root) == []
    assert list(settings.TEMP_DIR.iterdir()) == []


def test_a_failed_download_leaves_no_hidden_partial_in_the_library(
    api, series, hosters, library_root, temp_elsewhere
):
    hosters.serve_html_instead_of_video()
    item_id = queued(api)

    DownloadWorker().process_one()

    assert DownloadItem.objects.get(id=item_id).status == "failed"
    assert hidden_files(library_root) == []
    assert [p.name for p in library_root.rglob("*") if p.is_file()] == ["data"]


def test_a_download_stopped_midway_leaves_no_hidden_partial_in_the_library(
    api, series, hosters, library_root, temp_elsewhere, monkeypatch
):
    # Vidoza serves a plain mp4: its bytes land in the library root from the first one.
    config.store().update({"downloads": {"hoster_order": ["Vidoza"]}})
    hosters.slow_media(20_000)  # its 60 kB in 3 s
    item_id = queued(api)
    item = queue.claim_next()
    part = library_root / f".aniworld-partial-item-{item_id}.part"
    stopped_with = []
    publish = progress.publish

    def stop_once_bytes_land(room, event_type, data):
        if event_type == "download_progress" and part.is_file() and part.stat().st_size:
            stopped_with.append(part.stat().st_size)
            QueueState.objects.update(is_running=False)
        publish(room, event_type, data)

    monkeypatch.setattr(progress, "publish", stop_once_bytes_land)

    ItemJob(item, DownloadWorker()).run()

    item.refresh_from_db()
    assert item.status == "pending"
    assert stopped_with, "the download was not stopped while its bytes were written"
    assert hidden_files(library_root) == []
    assert list(settings.TEMP_DIR.iterdir()) == []


def test_a_hidden_partial_a_killed_worker_left_is_removed_before_it_restarts(
    api, series, library_root
):
    item_id = queued(api)
    QueueState.objects.update(is_running=False)  # the item waits: only the leftovers matter
    left = [
        library_root / f".aniworld-partial-item-{item_id}.part",
        library_root / f".aniworld-partial-item-{item_id}.remux.mp4",
        library_root / AOT / f".aniworld-partial-item-{item_id}.mp4",  # a series on its own disk
    ]
    for path in left:
        path.write_bytes(b"half a video")
    neighbours = {
        library_root / ".aniworld-notes": b"not a download",
        library_root / AOT / "Season 01" / f".aniworld-partial-item-{item_id}.mp4": b"too deep",
        library_root / f"item-{item_id}.mp4": b"a Temp name, but in the library",
    }
    for path, content in neighbours.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)

    startup.recover_after_worker_crash()

    assert not any(path.exists() for path in left)
    assert {path: path.read_bytes() for path in neighbours} == neighbours
    assert DownloadItem.objects.get(id=item_id).status == "pending"


def test_a_series_folder_mounted_from_a_third_file_system_gets_the_download_itself(
    api, series, library_root, monkeypatch
):
    temp = settings.TEMP_DIR.resolve()
    series_folder = (library_root / EPISODE.split("/")[0]).resolve()
    devices = {temp: 1, series_folder: 3}
    monkeypatch.setattr(tempdir, "device_of", lambda path: devices.get(path.resolve(), 2))
    seen = []
    publish = progress.publish

    def record(room, event_type, data):
        if event_type == "download_progress":
            seen.extend(p.name for p in series_folder.iterdir() if p.name.startswith("."))
        publish(room, event_type, data)

    monkeypatch.setattr(progress, "publish", record)
    item_id = queued(api)

    assert DownloadWorker().process_one() is True

    item = DownloadItem.objects.get(id=item_id)
    assert item.status == "completed", item.error
    assert (library_root / EPISODE).is_file()
    assert any(name.startswith(f".aniworld-partial-item-{item_id}.") for name in seen)
    assert hidden_files(library_root) == []
    assert list(settings.TEMP_DIR.iterdir()) == []
