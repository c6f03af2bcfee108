"""What the worker takes from the queue: one item at a time, in order, only while the
queue runs; what is skipped when queued, and what a crash left downloading."""

import pytest

from downloads import queue
from downloads.models import DownloadItem, QueueState
from tests.factories import queue_episode

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("library_root")]


def add(api, episode=2) -> dict:
    """``POST /api/queue/add`` of one episode: what was added and what skipped, and why."""
    body = {"series_key": "attack-on-titan", "episodes": [{"season": 1, "episode": episode}]}
    return api.post("/api/queue/add", body, format="json").json()


def claimed(api):
    api.post("/api/queue/stop")
    item_id = queue_episode(api).id
    QueueState.objects.update(is_running=True)
    item = queue.claim_next()
    assert item.id == item_id
    return item


def test_duplicates_and_unreleased_episodes_are_skipped_with_reasons(api, series):
    api.post("/api/queue/stop")
    first = add(api)
    again = add(api)
    assert len(first["added"]) == 1
    assert again["added"] == []
    assert again["skipped"] == [{"season": 1, "episode": 2, "reason": "already queued"}]
    announced = add(api, episode=3)
    assert announced["skipped"] == [{"season": 1, "episode": 3, "reason": "not released yet"}]
    unknown = add(api, episode=99)
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


def test_a_stopped_queue_keeps_items_pending_and_start_runs_them(api, series):
    api.post("/api/queue/stop")
    item_id = queue_episode(api).id
    assert DownloadItem.objects.get(id=item_id).status == "pending"
    status = api.post("/api/queue/start").json()
    assert status["is_running"] is True
    assert DownloadItem.objects.get(id=item_id).status == "completed"


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
