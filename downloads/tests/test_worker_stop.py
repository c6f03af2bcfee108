"""The worker's stop paths: a shutdown ends its loop at once, a job whose item was taken
over leaves it alone, and only a recorded cancel makes an item cancelled."""

import os
from datetime import timedelta

import pytest
from django.conf import settings

from aniworld.instance import LIFELINE_VARIABLE
from downloads import queue
from downloads.models import DownloadItem, QueueState
from downloads.worker import DownloadWorker, ItemJob

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("library_root")]


def queued(api, *episodes):
    """Items queued while the queue is stopped, then the queue running again (not woken)."""
    api.post("/api/queue/stop")
    body = {
        "series_key": "attack-on-titan",
        "episodes": [{"season": 1, "episode": number} for number in episodes],
    }
    ids = [item["id"] for item in api.post("/api/queue/add", body, format="json").json()["added"]]
    QueueState.objects.update(is_running=True)
    return ids


def claimed(api):
    """An item the worker just claimed."""
    (item_id,) = queued(api, 2)
    item = queue.claim_next()
    assert item.id == item_id
    return item


def episode_page_requests(world) -> int:
    return sum("/episode-" in path for path in world.requested_paths())


@pytest.fixture
def lifeline(monkeypatch):
    """This process as a child of ``serve``; closing the returned fd is serve going away."""
    read_end, write_end = os.pipe()
    monkeypatch.setenv(LIFELINE_VARIABLE, str(read_end))
    yield write_end
    os.close(read_end)


def test_after_a_shutdown_signal_the_worker_claims_and_fetches_nothing_more(api, series, world):
    ids = queued(api, 1, 2)
    worker = DownloadWorker()
    worker.shutting_down = True
    pages_before = episode_page_requests(world)
    assert worker.process_one() is False
    assert {i.status for i in DownloadItem.objects.filter(id__in=ids)} == {"pending"}
    assert episode_page_requests(world) == pages_before


def test_serve_going_away_stops_the_job_before_any_request_and_ends_the_loop(
    api, series, world, lifeline
):
    ids = queued(api, 1, 2)
    item = queue.claim_next()
    worker = DownloadWorker()
    pages_before = episode_page_requests(world)
    os.close(lifeline)  # serve stopped (or was killed)
    ItemJob(item, worker).run()
    item.refresh_from_db()
    assert item.status == "pending"
    assert worker.process_one() is False
    assert {i.status for i in DownloadItem.objects.filter(id__in=ids)} == {"pending"}
    assert episode_page_requests(world) == pages_before


def test_a_live_serve_lets_the_worker_download(api, series, lifeline):
    (item_id,) = queued(api, 2)
    assert DownloadWorker().process_one() is True
    assert DownloadItem.objects.get(id=item_id).status == "completed"
    os.close(lifeline)


def test_an_item_a_new_start_returned_to_the_queue_is_not_cancelled_by_the_old_job(api, series):
    (item_id,) = queued(api, 2)
    item = queue.claim_next()
    QueueState.objects.update(is_running=False)  # keep the inline worker from taking it again
    queue.restore_after_restart()  # a new serve, while the old job still runs
    new_owners_file = settings.TEMP_DIR / f"item-{item_id}.mp4.part"
    new_owners_file.write_bytes(b"the next run's partial download")
    try:
        ItemJob(item, DownloadWorker()).run()
        assert new_owners_file.read_bytes() == b"the next run's partial download"
    finally:
        new_owners_file.unlink(missing_ok=True)
    item.refresh_from_db()
    assert item.status == "pending"
    assert item.completed_at is None


def test_an_item_claimed_again_by_another_run_is_left_to_that_run(api, series, library_root):
    (item_id,) = queued(api, 2)
    item = queue.claim_next()
    other_claim = item.started_at + timedelta(seconds=5)
    DownloadItem.objects.filter(id=item_id).update(started_at=other_claim, percent=42)
    ItemJob(item, DownloadWorker()).run()
    after = DownloadItem.objects.get(id=item_id)
    assert (after.status, after.started_at, after.percent) == ("downloading", other_claim, 42)
    assert not [p for p in library_root.rglob("*.mp4")]


def test_a_cancel_is_what_the_cancel_recorded(api, series):
    (item_id,) = queued(api, 2)
    item = queue.claim_next()
    assert api.delete(f"/api/queue/{item_id}").json()["result"] == "cancelled"
    cancelled_at = DownloadItem.objects.get(id=item_id).completed_at
    ItemJob(item, DownloadWorker()).run()
    after = DownloadItem.objects.get(id=item_id)
    assert (after.status, after.completed_at) == ("cancelled", cancelled_at)
    assert list(settings.TEMP_DIR.glob(f"item-{item_id}.*")) == []


def test_stop_during_a_download_returns_the_item_to_pending(api, series):
    item = claimed(api)
    QueueState.objects.update(is_running=False)
    ItemJob(item, DownloadWorker()).run()
    item.refresh_from_db()
    assert item.status == "pending"
    assert list(settings.TEMP_DIR.iterdir()) == []


def test_cancel_during_a_download_cancels_and_cleans_up(api, series, library_root):
    item = claimed(api)
    assert api.delete(f"/api/queue/{item.id}").json()["result"] == "cancelled"
    ItemJob(item, DownloadWorker()).run()
    item.refresh_from_db()
    assert item.status == "cancelled"
    assert list(settings.TEMP_DIR.iterdir()) == []
    assert [p.name for p in library_root.rglob("*") if p.is_file()] == ["data"]


def test_a_shutdown_signal_returns_the_item_to_pending(api, series):
    item = claimed(api)
    worker = DownloadWorker()
    worker.shutting_down = True
    ItemJob(item, worker).run()
    item.refresh_from_db()
    assert item.status == "pending"
