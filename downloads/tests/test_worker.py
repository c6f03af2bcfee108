"""The whole pipeline: queue → worker → hoster → media → a named file in the library.

Tasks run inline in tests, so a download finishes within the API call that
queued it (the queue is running by default).
"""

from pathlib import Path

import pytest
from django.conf import settings

from downloads import queue
from downloads.media import verify_media
from downloads.models import DownloadItem, QueueState
from downloads.worker import DownloadWorker, ItemJob
from library.models import Episode

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("library_root")]

AOT = "Attack on Titan (2013)"


@pytest.fixture
def series(api, world):
    response = api.post(
        "/api/anime/", {"key": "attack-on-titan", "site": "aniworld.to"}, format="json"
    )
    assert response.status_code == 201
    return response.json()


def queue_episode(api, season=1, episode=2, **extra):
    body = {
        "series_key": "attack-on-titan",
        "episodes": [{"season": season, "episode": episode}],
        **extra,
    }
    return api.post("/api/queue/add", body, format="json")


def temp_files():
    return sorted(p.name for p in settings.TEMP_DIR.rglob("*"))


def library_files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_a_queued_episode_becomes_a_named_playable_file(api, series, library_root):
    response = queue_episode(api)
    assert response.status_code == 201
    added = response.json()["added"]
    assert len(added) == 1
    item = DownloadItem.objects.get(id=added[0]["id"])
    assert item.status == "completed", item.error
    expected = f"{AOT}/Season 01/Attack on Titan - S01E02 - An jenem Tag.mp4"
    assert item.file_path == expected
    assert 2.5 < verify_media(library_root / expected) < 3.5
    episode = Episode.objects.get(series__key="attack-on-titan", season=1, number=2)
    assert episode.is_downloaded
    assert episode.downloaded_language == "german-dub"
    assert episode.file_path == expected
    assert item.hoster == "VOE"
    assert temp_files() == []
    status = api.get("/api/queue/status").json()
    assert status["completed"][0]["file_path"] == expected
    assert status["completed"][0]["progress"]["percent"] == 100


def test_films_land_in_season_00(api, series, library_root):
    queue_episode(api, season=0, episode=1)
    assert (
        library_root / AOT / "Season 00" / "Attack on Titan - S00E01 - Teil 1 - Pfeil und Bogen.mp4"
    ).exists()


def test_a_broken_hoster_falls_through_to_the_next(api, series, hosters):
    hosters.break_page("VOE")
    item = DownloadItem.objects.get(id=queue_episode(api).json()["added"][0]["id"])
    assert item.status == "completed"
    assert item.hoster == "Vidoza"


def test_when_every_hoster_fails_the_item_fails_with_each_reason(
    api, series, hosters, library_root
):
    hosters.break_page("VOE")
    hosters.remove_page("Vidoza")
    item = DownloadItem.objects.get(id=queue_episode(api).json()["added"][0]["id"])
    assert item.status == "failed"
    assert "Every hoster failed" in item.error
    assert "VOE (German dub)" in item.error
    assert "Vidoza (German dub)" in item.error
    assert "404" in item.error
    assert not (library_root / AOT / "Season 01").exists()
    assert temp_files() == []
    failed = api.get("/api/queue/status").json()["failed"]
    assert failed[0]["error"] == item.error


def test_html_instead_of_video_never_reaches_the_library(api, series, hosters, library_root):
    hosters.serve_html_instead_of_video()
    item = DownloadItem.objects.get(id=queue_episode(api).json()["added"][0]["id"])
    assert item.status == "failed"
    assert library_files(library_root) == [f"{AOT}/data"]
    assert temp_files() == []


def test_a_connection_cut_mid_download_recovers(api, series, hosters):
    hosters.cut_media_once()
    item = DownloadItem.objects.get(id=queue_episode(api).json()["added"][0]["id"])
    assert item.status == "completed", item.error


def test_the_owners_language_order_picks_the_language(api, series):
    from aniworld import config

    config.store().update({"downloads": {"language_order": ["english-sub", "german-dub"]}})
    item = DownloadItem.objects.get(id=queue_episode(api).json()["added"][0]["id"])
    assert item.downloaded_language == "english-sub"
    assert item.file_path.endswith("S01E02 - An jenem Tag.mp4")


def test_duplicates_and_unreleased_episodes_are_skipped_with_reasons(api, series):
    api.post("/api/queue/stop")
    first = queue_episode(api).json()
    again = queue_episode(api).json()
    assert len(first["added"]) == 1
    assert again["added"] == []
    assert again["skipped"] == [{"season": 1, "episode": 2, "reason": "already queued"}]
    announced = queue_episode(api, episode=3).json()
    assert announced["skipped"] == [{"season": 1, "episode": 3, "reason": "not released yet"}]
    unknown = queue_episode(api, episode=99).json()
    assert unknown["skipped"][0]["reason"] == "no such episode"


def test_all_missing_queues_every_missing_episode_in_order(api, series):
    api.post("/api/queue/stop")
    response = api.post(
        "/api/queue/add", {"series_key": "attack-on-titan", "all_missing": True}, format="json"
    )
    added = [(i["season"], i["episode"]) for i in response.json()["added"]]
    assert added == [(0, 1), (1, 1), (1, 2), (2, 1)]
    pending = api.get("/api/queue/status").json()["pending"]
    assert [(i["season"], i["episode"]) for i in pending] == added


def test_too_little_free_space_fails_the_item_clearly(api, series, library_root):
    from aniworld import config

    config.store().update({"downloads": {"min_free_space_gb": 10**9}})
    item = DownloadItem.objects.get(id=queue_episode(api).json()["added"][0]["id"])
    assert item.status == "failed"
    assert "GB free on the library" in item.error
    assert library_files(library_root) == [f"{AOT}/data"]


def test_a_stopped_queue_keeps_items_pending_and_start_runs_them(api, series):
    api.post("/api/queue/stop")
    item_id = queue_episode(api).json()["added"][0]["id"]
    assert DownloadItem.objects.get(id=item_id).status == "pending"
    status = api.post("/api/queue/start").json()
    assert status["is_running"] is True
    assert DownloadItem.objects.get(id=item_id).status == "completed"


def claimed(api):
    api.post("/api/queue/stop")
    item_id = queue_episode(api).json()["added"][0]["id"]
    QueueState.objects.update(is_running=True)
    item = queue.claim_next()
    assert item.id == item_id
    return item


def test_stop_during_a_download_returns_the_item_to_pending(api, series):
    item = claimed(api)
    QueueState.objects.update(is_running=False)
    ItemJob(item, DownloadWorker()).run()
    item.refresh_from_db()
    assert item.status == "pending"
    assert temp_files() == []


def test_cancel_during_a_download_cancels_and_cleans_up(api, series, library_root):
    item = claimed(api)
    assert api.delete(f"/api/queue/{item.id}").json()["result"] == "cancelled"
    ItemJob(item, DownloadWorker()).run()
    item.refresh_from_db()
    assert item.status == "cancelled"
    assert temp_files() == []
    assert library_files(library_root) == [f"{AOT}/data"]


def test_a_shutdown_signal_returns_the_item_to_pending(api, series):
    item = claimed(api)
    worker = DownloadWorker()
    worker.shutting_down = True
    ItemJob(item, worker).run()
    item.refresh_from_db()
    assert item.status == "pending"


def test_only_one_item_downloads_at_a_time(api, series):
    api.post("/api/queue/stop")
    queue_episode(api, episode=1)
    queue_episode(api, episode=2)
    QueueState.objects.update(is_running=True)
    assert queue.claim_next() is not None
    assert queue.claim_next() is None


def test_items_left_downloading_by_a_crash_return_to_pending_at_start(api, series):
    item = claimed(api)
    QueueState.objects.update(is_running=False)  # keep the inline worker from taking it again
    queue.restore_after_restart()
    item.refresh_from_db()
    assert item.status == "pending"


@pytest.mark.parametrize("then", ["downloading", "cancelled"])
def test_a_copy_cut_off_by_a_crash_is_removed_at_restart(api, series, library_root, then):
    # Killed while copying across file systems: the item had recorded its target, the
    # hidden copy lies beside it. Whether the item is resumed or was cancelled meanwhile,
    # the restart removes the copy and nothing else.
    item = claimed(api)
    relative = f"{AOT}/Season 01/Attack on Titan - S01E02 - An jenem Tag.mp4"
    target = library_root / relative
    target.parent.mkdir(parents=True)
    partial = target.with_name(f".{target.name}.aniworld-partial")
    partial.write_bytes(b"half a video")
    neighbour = target.with_name("keep.mp4")
    neighbour.write_bytes(b"another file")
    DownloadItem.objects.filter(id=item.id).update(file_path=relative, status=then)
    QueueState.objects.update(is_running=False)
    queue.restore_after_restart()
    assert not partial.exists()
    assert neighbour.read_bytes() == b"another file"


def across_file_systems(monkeypatch, during_copy=lambda: None):
    """Temp and the library on different volumes: the move copies, in small chunks."""
    import errno
    import os

    from downloads import placement

    real_replace = os.replace

    def replace(src, dst):
        temp = Path(settings.TEMP_DIR)
        if Path(src).parent == temp and Path(dst).parent != temp:  # Temp → library
            during_copy()
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real_replace(src, dst)

    monkeypatch.setattr(placement.os, "replace", replace)
    monkeypatch.setattr(placement, "COPY_CHUNK_BYTES", 1024)


def test_a_download_completes_across_file_systems(api, series, library_root, monkeypatch):
    across_file_systems(monkeypatch)
    item = claimed(api)
    ItemJob(item, DownloadWorker()).run()
    item.refresh_from_db()
    assert item.status == "completed", item.error
    assert verify_media(library_root / item.file_path) > 0
    assert not list(Path(settings.TEMP_DIR).iterdir())
    assert not [p for p in library_root.rglob(".*") if p.is_file()]


@pytest.mark.parametrize(
    ("owner_does", "then"),
    [("cancel", "cancelled"), ("stop the queue", "pending")],
)
def test_a_cancel_or_stop_during_the_copy_into_the_library_stops_it(
    api, series, library_root, monkeypatch, owner_does, then
):
    # The library on a network share: the copy takes a while and the owner steps in.
    item = claimed(api)
    monkeypatch.setattr("downloads.worker.STOP_CHECK_INTERVAL", 0)

    def step_in():
        if owner_does == "cancel":
            DownloadItem.objects.filter(id=item.id).update(status="cancelled")
        else:
            QueueState.objects.update(is_running=False)

    across_file_systems(monkeypatch, during_copy=step_in)
    ItemJob(item, DownloadWorker()).run()
    item.refresh_from_db()
    assert item.status == then
    assert item.file_path == ""
    assert library_files(library_root) == [f"{AOT}/data"]
    assert not list(Path(settings.TEMP_DIR).iterdir())


def test_a_move_across_file_systems_stops_between_chunks_and_leaves_no_copy(tmp_path):
    import errno
    from unittest import mock

    from downloads import placement
    from downloads.media import DownloadCancelled

    source = tmp_path / "item-1.mp4"
    source.write_bytes(b"video" * 3_000_000)
    target = tmp_path / "other-volume" / "episode.mp4"
    target.parent.mkdir()
    answers = iter([False, True])
    cross_device = OSError(errno.EXDEV, "Invalid cross-device link")
    with (
        mock.patch.object(placement.os, "replace", side_effect=cross_device),
        pytest.raises(DownloadCancelled),
    ):
        placement.move_atomically(source, target, should_stop=lambda: next(answers))
    assert list(target.parent.iterdir()) == []
    assert source.exists()


def test_an_existing_file_is_never_overwritten(api, series, library_root):
    target = library_root / AOT / "Season 01" / "Attack on Titan - S01E02 - An jenem Tag.mp4"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"precious")
    # The library does not know the file yet (no rescan): the download must not clobber it.
    item = DownloadItem.objects.get(id=queue_episode(api).json()["added"][0]["id"])
    assert item.status == "failed"
    assert "already exists" in item.error
    assert target.read_bytes() == b"precious"


def test_the_download_command_queues_and_downloads_missing_episodes(
    api, world, library_root, capsys
):
    from django.core.management import call_command

    api.post("/api/queue/stop")
    api.post("/api/anime/", {"key": "hells-paradise", "site": "aniworld.to"}, format="json")
    QueueState.objects.update(is_running=True)
    call_command("download", "--series", "hells-paradise", "--all-missing")
    out = capsys.readouterr().out
    assert "Queued 2 missing episode(s)." in out
    assert "Finished 2 item(s), 0 failed." in out
    season = library_root / "Hell's Paradise (2023)" / "Season 01"
    assert sorted(p.name for p in season.glob("*.mp4")) == [
        "Hell's Paradise - S01E01 - Tödliche Insel.mp4",
        "Hell's Paradise - S01E02 - Schein & Sein.mp4",
    ]
