"""The downloads room's payloads (downloads.events): the queue item the API shows, the
progress event, the stages a download goes through, and the event types."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import get_args, get_type_hints

import pytest
from django.utils import timezone

from aniworld import progress
from downloads import events, item_job, media, queue
from downloads.events import (
    DownloadEvent,
    DownloadEventType,
    DownloadProgressData,
    QueueItemData,
    QueueStatusData,
    Stage,
    item_data,
    progress_event,
)
from downloads.models import DownloadItem, Priority, Status
from downloads.serializers import QueueItemSerializer
from library.models import Series
from tests.factories import make_episode, make_item, make_series, queue_episode

STARTED = datetime(2026, 3, 4, 5, 6, 7, 123456, tzinfo=UTC)
ADDED = datetime(2026, 3, 4, 5, 0, 0, tzinfo=UTC)


def on_the_wire(data) -> dict:
    return json.loads(json.dumps(data))


@pytest.fixture
def frieren(db) -> Series:
    return make_series("frieren", "Frieren", folder="Frieren (2023)", year=2023)


@pytest.fixture
def downloading(frieren) -> DownloadItem:
    """An item half way through its download, with every field set."""
    episode = make_episode(frieren, 1, 2, title="", title_en="It Didn't Have to Be Magic")
    item = make_item(
        episode,
        status=Status.DOWNLOADING,
        priority=Priority.HIGH,
        position=3,
        language="german-dub",
        downloaded_language="german-sub",
        percent=41.26,
        downloaded_bytes=4_126,
        total_bytes=10_000,
        speed_bps=512.5,
        eta_seconds=11.0,
        stage=Stage.RETRYING,
        stage_message="retrying VOE 2/3 in 4 s (HTTP 500)",
        hoster="VOE",
        error="an earlier try failed",
        error_code="CHALLENGE",
        links=[{"hoster": "VOE", "language": "german-dub", "url": "http://x/redirect/1"}],
        retry_count=1,
        file_path="Frieren (2023)/Season 01/Frieren - S01E02.mp4",
        started_at=STARTED,
    )
    DownloadItem.objects.filter(id=item.id).update(added_at=ADDED)
    return DownloadItem.objects.select_related("episode__series").get(id=item.id)


def test_an_item_is_shown_in_the_documented_wire_format(downloading):
    # Another time zone is active: the moments are still written as stored, with +00:00.
    with timezone.override("Europe/Berlin"):
        data = on_the_wire(item_data(downloading))

    assert data == {
        "id": downloading.id,
        "series_key": "frieren",
        "series_name": "Frieren",
        "season": 1,
        "episode": 2,
        "title": "It Didn't Have to Be Magic",
        "language": "german-sub",
        "status": "downloading",
        "priority": "high",
        "position": 3,
        "progress": {
            "percent": 41.3,
            "downloaded_bytes": 4_126,
            "total_bytes": 10_000,
            "speed_bps": 512.5,
            "eta_seconds": 11.0,
            "stage": "retrying",
            "message": "retrying VOE 2/3 in 4 s (HTTP 500)",
        },
        "hoster": "VOE",
        "error": "an earlier try failed",
        "error_code": "CHALLENGE",
        "links": [{"hoster": "VOE", "language": "german-dub", "url": "http://x/redirect/1"}],
        "retry_count": 1,
        "added_at": "2026-03-04T05:00:00+00:00",
        "started_at": "2026-03-04T05:06:07.123456+00:00",
        "completed_at": None,
        "file_path": "Frieren (2023)/Season 01/Frieren - S01E02.mp4",
    }
    # The keys come in the documented order, as the JSON text has them.
    assert list(data) == list(QueueItemData.__annotations__)


def test_a_new_item_shows_its_wanted_language_and_its_own_title(frieren):
    item = make_item(make_episode(frieren, 1, 1, title="Das Ende"), language="english-sub")

    data = item_data(item)

    assert (data["title"], data["language"], data["priority"]) == (
        "Das Ende",
        "english-sub",
        "normal",
    )
    assert (data["links"], data["started_at"], data["completed_at"]) == ([], None, None)
    assert data["progress"]["percent"] == 0
    assert (data["progress"]["stage"], data["progress"]["message"]) == ("", "")


def test_an_event_for_an_item_carries_exactly_what_the_api_shows_for_it(api, downloading):
    shown = api.get("/api/queue/status").json()["active"]

    assert on_the_wire(item_data(downloading)) == shown
    assert set(shown) == set(QueueItemData.__annotations__)


def test_the_item_type_names_the_serializers_fields_and_nothing_else():
    assert list(QueueItemData.__annotations__) == list(QueueItemSerializer().fields)


def test_the_queue_status_type_names_what_the_api_answers(api):
    assert set(api.get("/api/queue/status").json()) == set(QueueStatusData.__annotations__)
    stats = get_type_hints(QueueStatusData)["stats"]
    assert set(queue.snapshot()["stats"]) == set(stats.__annotations__)


def test_a_progress_event_carries_the_fields_that_change_while_bytes_flow(downloading):
    data = progress_event(downloading)

    assert list(data) == ["id", "series_key", "season", "episode", "hoster", "progress"]
    assert list(data) == list(DownloadProgressData.__annotations__)
    whole = item_data(downloading)
    assert data == {key: whole[key] for key in data}


def test_the_worker_and_the_media_download_share_the_one_stage_enum():
    assert item_job.Stage is events.Stage
    assert media.Stage is events.Stage
    assert [str(stage) for stage in Stage] == [
        "resolving",
        "downloading",
        "retrying",
        "falling_back",
        "remuxing",
        "verifying",
        "placing",
    ]


def test_every_event_type_has_a_typed_envelope():
    envelopes = {get_args(get_type_hints(e)["type"])[0]: e for e in get_args(DownloadEvent)}

    assert set(envelopes) == set(get_args(DownloadEventType))
    for event_type, envelope in envelopes.items():
        sent = progress.event("downloads", event_type, {})
        assert set(sent) == set(envelope.__annotations__)
        assert get_args(get_type_hints(envelope)["room"]) == ("downloads",)


# -- what a real download publishes --------------------------------------------------


@pytest.fixture
def published(monkeypatch) -> list[tuple[str, dict]]:
    """Every event published to the downloads room: ``(type, data)``."""
    seen: list[tuple[str, dict]] = []

    def recorder(publish):
        def record(room, event_type, data):
            if room == "downloads":
                seen.append((event_type, data))
            publish(room, event_type, data)

        return record

    monkeypatch.setattr(progress, "publish", recorder(progress.publish))
    monkeypatch.setattr(queue, "publish", recorder(queue.publish))
    return seen


def download(api, episode: int) -> DownloadItem:
    # German dub: VOE (HLS, remuxed), then Vidoza (a file, verified).
    return queue_episode(api, 1, episode, language="german-dub")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("library_root", "series")
def test_the_stages_downloads_go_through_are_the_stage_enum_and_all_of_it(
    api, hosters, settings, published
):
    settings.DOWNLOAD_BACKOFF_SCALE = 0.05  # pauses of 0.1 s and 0.2 s

    assert download(api, 1).status == Status.COMPLETED  # from VOE
    hosters.fail_page("VOE")
    fell_back = download(api, 2)  # VOE is retried, then Vidoza downloads
    assert (fell_back.status, fell_back.hoster) == (Status.COMPLETED, "Vidoza")

    stages = [data["progress"]["stage"] for kind, data in published if kind == "download_progress"]
    # Set as members of the enum, not as strings that happen to match.
    assert all(isinstance(stage, Stage) for stage in stages), stages
    assert set(stages) == set(Stage)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("library_root", "series")
def test_a_download_publishes_only_typed_events_with_their_payloads(api, hosters, published):
    hosters.fail_media()
    assert download(api, 1).status == Status.FAILED
    hosters.reset()
    assert download(api, 2).status == Status.COMPLETED

    data_types = {
        get_args(get_type_hints(envelope)["type"])[0]: get_type_hints(envelope)["data"]
        for envelope in get_args(DownloadEvent)
    }
    assert {kind for kind, _ in published} == set(get_args(DownloadEventType))
    for kind, data in published:
        assert set(data) == set(data_types[kind].__annotations__), kind
