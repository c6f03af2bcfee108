"""`manage.py download` holds the data dir as `serve` does: never two downloaders at once,
and what a killed run left behind is cleaned up before it downloads."""

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from aniworld.instance import InstanceLock
from downloads.models import DownloadItem, QueueState, Status
from tests.factories import add_series, queue_episode

pytestmark = [pytest.mark.django_db(transaction=True)]

SERVE_URL = "http://127.0.0.1:8000/"


@pytest.fixture
def pending_item(api, series):
    """Attack on Titan S01E02 queued while the queue is stopped, then the queue started
    (without waking the inline worker): waiting for whoever downloads the queue."""
    api.post("/api/queue/stop")
    item = queue_episode(api)
    QueueState.objects.update(is_running=True)
    return item


def test_it_refuses_beside_a_running_serve_and_leaves_the_queue_alone(pending_item, capsys):
    serve = InstanceLock(settings.DATA_DIR)
    serve.acquire(SERVE_URL, wait_for_leftovers=0)
    DownloadItem.objects.filter(id=pending_item.id).update(status=Status.DOWNLOADING)
    try:
        with pytest.raises(CommandError, match="Aniworld is already running on this data dir"):
            call_command("download")
    finally:
        serve.release()
    # serve's item is still its own: not returned to the queue, not downloaded again.
    assert DownloadItem.objects.get(id=pending_item.id).status == Status.DOWNLOADING
    assert "Downloading" not in capsys.readouterr().out


def test_serve_may_start_once_it_has_finished(pending_item):
    call_command("download")
    assert DownloadItem.objects.get(id=pending_item.id).status == Status.COMPLETED
    serve = InstanceLock(settings.DATA_DIR)
    serve.acquire(SERVE_URL, wait_for_leftovers=0)
    serve.release()


def test_what_a_killed_run_left_is_cleaned_up_and_downloaded_again(
    pending_item, library_root, capsys
):
    DownloadItem.objects.filter(id=pending_item.id).update(status=Status.DOWNLOADING, percent=40)
    partial = settings.TEMP_DIR / f"item-{pending_item.id}.part"
    partial.write_bytes(b"half an episode")
    forgotten = settings.TEMP_DIR / "item-999.part"  # of an item deleted since
    forgotten.write_bytes(b"a quarter of another")

    call_command("download")

    assert "Finished 1 item(s), 0 failed." in capsys.readouterr().out
    assert DownloadItem.objects.get(id=pending_item.id).status == Status.COMPLETED
    assert list(settings.TEMP_DIR.iterdir()) == []
    assert list(library_root.rglob("*S01E02*.mp4"))


def test_with_a_series_it_downloads_only_that_series(pending_item, api, world, capsys):
    add_series(api, "hells-paradise")
    api.post("/api/queue/stop")
    queue_episode(api, 1, 1, key="hells-paradise")
    QueueState.objects.update(is_running=True)

    call_command("download", "--series", "hells-paradise")

    assert "Finished 1 item(s), 0 failed." in capsys.readouterr().out
    statuses = dict(DownloadItem.objects.values_list("episode__series__key", "status"))
    assert statuses == {"hells-paradise": Status.COMPLETED, "attack-on-titan": Status.PENDING}
