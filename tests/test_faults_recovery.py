"""The worker dying at the worst moment, recreated in-process so that it hits every time.

The random kills of tests/test_faults_worker_kill.py land between the file's
move into the library and the item's completion only now and then (the window
is a few milliseconds). Here the worker "dies" exactly there: the rename into
the library happens, then the job ends as a SIGKILL would end it, with none of
our handlers running. The supervisor's recovery and the next run must finish
the item, not fail it for the file that its own first run put there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from aniworld import startup
from downloads import queue
from downloads.models import DownloadItem, QueueState
from downloads.worker import DownloadWorker, ItemJob
from library.models import Episode
from tests.factories import add_series, queue_episode

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("library_root")]

EPISODE_PATH = "Attack on Titan (2013)/Season 01/Attack on Titan - S01E02 - An jenem Tag.mp4"


class Killed(BaseException):
    """The process is gone: no ``except Exception`` of ours sees this."""


@pytest.fixture
def claimed_item(api, world) -> DownloadItem:
    add_series(api)
    api.post("/api/queue/stop")
    item_id = queue_episode(api).id
    QueueState.objects.update(is_running=True)
    item = queue.claim_next()
    assert item.id == item_id
    return item


def library_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_a_worker_killed_right_after_moving_the_file_in_completes_the_item_on_restart(
    claimed_item, library_root, monkeypatch
):
    real_replace = os.replace

    def replace_then_die(source, target, **kwargs):
        real_replace(source, target, **kwargs)
        if Path(target).suffix == ".mp4" and Path(target).is_relative_to(library_root.resolve()):
            raise Killed()

    job = ItemJob(claimed_item, DownloadWorker())
    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", replace_then_die)
        with pytest.raises(Killed):
            job.run()
    claimed_item.refresh_from_db()
    assert claimed_item.status == "downloading"
    assert (library_root / EPISODE_PATH).is_file()

    startup.recover_after_worker_crash()  # the supervisor, before it starts a new worker

    claimed_item.refresh_from_db()
    assert claimed_item.status == "completed", claimed_item.error
    assert claimed_item.file_path == EPISODE_PATH
    # The file, its episode NFO (written when the item completes) and the series' data file.
    assert library_files(library_root) == [
        EPISODE_PATH,
        EPISODE_PATH.removesuffix(".mp4") + ".nfo",
        "Attack on Titan (2013)/data",
    ]
    episode = Episode.objects.get(series__key="attack-on-titan", season=1, number=2)
    assert episode.is_downloaded
    assert episode.file_path == EPISODE_PATH
    assert list(settings.TEMP_DIR.iterdir()) == []


def test_a_file_that_was_there_before_is_still_never_overwritten(claimed_item, library_root):
    target = library_root / EPISODE_PATH
    target.parent.mkdir(parents=True)
    target.write_bytes(b"the owner's own copy")
    ItemJob(claimed_item, DownloadWorker()).run()
    claimed_item.refresh_from_db()
    assert claimed_item.status == "failed"
    assert "already exists" in claimed_item.error
    assert claimed_item.file_path == ""
    assert target.read_bytes() == b"the owner's own copy"
