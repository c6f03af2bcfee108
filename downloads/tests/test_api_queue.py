"""/api/queue routes (the functions behind them: test_queue.py)."""

import pytest

from downloads.models import DownloadItem, Status
from tests.factories import make_episode, make_item, make_series

pytestmark = pytest.mark.django_db


@pytest.fixture
def episodes():
    series = make_series("frieren", "Frieren", folder="Frieren (2023)", year=2023)
    for number in range(1, 5):
        make_episode(series, 1, number, url=f"http://x/{number}")
    return series


@pytest.fixture
def stopped(api):
    assert api.post("/api/queue/stop").json()["is_running"] is False


def add(api, *numbers, **extra):
    body = {
        "series_key": "frieren",
        "episodes": [{"season": 1, "episode": n} for n in numbers],
        **extra,
    }
    return api.post("/api/queue/add", body, format="json")


def test_status_has_the_documented_shape(api):
    body = api.get("/api/queue/status").json()
    assert set(body) == {"is_running", "active", "pending", "completed", "failed", "stats"}


def test_added_items_carry_every_documented_field(api, episodes, stopped):
    item = add(api, 1, priority="high").json()["added"][0]
    assert set(item) == {
        "id",
        "series_key",
        "series_name",
        "season",
        "episode",
        "title",
        "language",
        "status",
        "priority",
        "position",
        "progress",
        "hoster",
        "error",
        "error_code",
        "links",
        "retry_count",
        "added_at",
        "started_at",
        "completed_at",
        "file_path",
    }
    assert item["priority"] == "high"
    assert set(item["progress"]) == {
        "percent",
        "downloaded_bytes",
        "total_bytes",
        "speed_bps",
        "eta_seconds",
        "stage",
        "message",
    }


def test_bad_add_requests_are_422_and_unknown_series_404(api, episodes):
    assert api.post("/api/queue/add", {"series_key": "frieren"}, format="json").status_code == 422
    assert add(api, 1, priority="urgent").status_code == 422
    assert add(api, 1, language="klingon").status_code == 422
    response = api.post(
        "/api/queue/add",
        {"series_key": "nope", "episodes": [{"season": 1, "episode": 1}]},
        format="json",
    )
    assert response.status_code == 404


def test_higher_priority_goes_first_and_reorder_changes_the_order(api, episodes, stopped):
    ids = [i["id"] for i in add(api, 1, 2, 3).json()["added"]]
    urgent = add(api, 4, priority="high").json()["added"][0]["id"]
    assert [i["id"] for i in api.get("/api/queue/status").json()["pending"]] == [urgent, *ids]
    response = api.post("/api/queue/reorder", {"item_ids": [ids[2], ids[0]]}, format="json")
    assert response.status_code == 200
    order = [i["id"] for i in response.json()["pending"]]
    assert order == [urgent, ids[2], ids[0], ids[1]]


def test_reordering_an_item_that_is_not_pending_is_refused(api, episodes, stopped):
    item_id = add(api, 1).json()["added"][0]["id"]
    DownloadItem.objects.filter(id=item_id).update(status=Status.FAILED)
    assert api.post("/api/queue/reorder", {"item_ids": [item_id]}, format="json").status_code == 422


def test_priority_can_be_changed_while_pending(api, episodes, stopped):
    item_id = add(api, 1).json()["added"][0]["id"]
    response = api.patch(f"/api/queue/{item_id}", {"priority": "low"}, format="json")
    assert response.json()["priority"] == "low"


def test_removing_a_pending_item_cancels_it_and_a_finished_one_deletes_it(api, episodes, stopped):
    item_id = add(api, 1).json()["added"][0]["id"]
    assert api.delete(f"/api/queue/{item_id}").json()["result"] == "cancelled"
    assert DownloadItem.objects.get(id=item_id).status == "cancelled"
    assert api.delete(f"/api/queue/{item_id}").json()["result"] == "removed"
    assert not DownloadItem.objects.filter(id=item_id).exists()
    assert api.delete(f"/api/queue/{item_id}").status_code == 404


def test_a_cancelled_episode_can_be_queued_again(api, episodes, stopped):
    item_id = add(api, 1).json()["added"][0]["id"]
    api.delete(f"/api/queue/{item_id}")
    assert len(add(api, 1).json()["added"]) == 1


def test_retry_moves_a_failed_item_back_to_pending_and_counts(api, episodes, stopped):
    item_id = add(api, 1).json()["added"][0]["id"]
    DownloadItem.objects.filter(id=item_id).update(status=Status.FAILED, error="boom")
    body = api.post(f"/api/queue/{item_id}/retry").json()
    assert (body["status"], body["retry_count"], body["error"]) == ("pending", 1, "")


def test_retrying_an_item_that_did_not_fail_is_a_409(api, episodes, stopped):
    item_id = add(api, 1).json()["added"][0]["id"]
    response = api.post(f"/api/queue/{item_id}/retry")
    assert response.status_code == 409
    assert response.json()["error"] == "ILLEGAL_TRANSITION"


def test_retry_all_failed(api, episodes, stopped):
    ids = [i["id"] for i in add(api, 1, 2, 3).json()["added"]]
    DownloadItem.objects.filter(id__in=ids[:2]).update(status=Status.FAILED)
    assert api.post("/api/queue/failed/retry").json() == {"retried": 2}
    assert DownloadItem.objects.filter(status=Status.PENDING).count() == 3


def test_clear_completed_removes_finished_items_only(api, episodes, stopped):
    ids = [i["id"] for i in add(api, 1, 2, 3).json()["added"]]
    DownloadItem.objects.filter(id=ids[0]).update(status=Status.COMPLETED)
    DownloadItem.objects.filter(id=ids[1]).update(status=Status.CANCELLED)
    assert api.delete("/api/queue/completed").json() == {"removed": 2}
    assert list(DownloadItem.objects.values_list("id", flat=True)) == [ids[2]]


def test_the_queue_page_lists_items_and_its_buttons_act(owner_client, episodes, api, stopped):
    add(api, 1, 2)
    page = owner_client.get("/queue/")
    assert page.status_code == 200
    assert b"Frieren" in page.content
    assert b"2 pending" in page.content
    item_id = DownloadItem.objects.order_by("id").first().id
    response = owner_client.post(f"/queue/{item_id}/cancel", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"1 pending" in response.content


def test_the_series_page_queues_selected_episodes(owner_client, episodes, api, stopped):
    response = owner_client.post(
        "/queue/add",
        {"series_key": "frieren", "action": "selected", "episodes": ["1-1", "1-3", "x"]},
    )
    assert response["Location"] == "/queue/"
    assert sorted(DownloadItem.objects.values_list("episode__number", flat=True)) == [1, 3]
    owner_client.post("/queue/add", {"series_key": "frieren", "action": "all_missing"})
    assert DownloadItem.objects.count() == 4


def test_the_queue_page_and_the_api_show_what_the_active_download_does(owner_client, episodes, api):
    make_item(
        episodes.episodes.first(),
        status=Status.DOWNLOADING,
        stage="retrying",
        stage_message="retrying VOE 2/3 in 4 s (HTTP 500)",
    )

    page = owner_client.get("/queue/").content.decode()
    active = api.get("/api/queue/status").json()["active"]

    assert 'data-stage="retrying"' in page
    assert "retrying VOE 2/3 in 4 s (HTTP 500)" in page
    assert active["progress"]["stage"] == "retrying"
    assert active["progress"]["message"] == "retrying VOE 2/3 in 4 s (HTTP 500)"


def test_an_item_that_is_not_downloading_shows_no_stage(api, episodes):
    make_item(episodes.episodes.first(), stage="remuxing", stage_message="left by a crash")

    [pending] = api.get("/api/queue/status").json()["pending"]

    assert (pending["progress"]["stage"], pending["progress"]["message"]) == ("", "")
