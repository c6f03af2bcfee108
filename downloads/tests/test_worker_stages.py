"""What a person sees while a download is slow or failing: the stage and a message,
persisted on the item and pushed with every change, and no page read twice."""

from __future__ import annotations

import pytest

from aniworld import progress
from downloads.models import DownloadItem, Status
from tests.factories import queue_episode

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("library_root")]


@pytest.fixture
def pushed(monkeypatch):
    """Every download event the worker publishes, with the item's row as persisted then."""
    events = []
    publish = progress.publish

    def record(room, event_type, data):
        if event_type == "download_progress":
            row = DownloadItem.objects.get(id=data["id"])
            events.append((data["progress"], row.stage, row.stage_message))
        publish(room, event_type, data)

    monkeypatch.setattr(progress, "publish", record)
    return events


def download(api) -> DownloadItem:
    return queue_episode(api, language="german-dub")  # two candidates: VOE, then Vidoza


def stages(events) -> list[str]:
    seen: list[str] = []
    for data, _, _ in events:
        if not seen or seen[-1] != data["stage"]:
            seen.append(data["stage"])
    return seen


def test_a_download_goes_through_its_stages_live(api, series, pushed):
    item = download(api)

    assert item.status == Status.COMPLETED, item.error
    assert stages(pushed) == ["resolving", "downloading", "remuxing", "placing"]
    messages = [data["message"] for data, _, _ in pushed]
    assert "resolving VOE (german-dub)" in messages
    assert "downloading from VOE" in messages
    assert "VOE: finishing the mp4" in messages
    assert "moving the file into the library" in messages
    # Each event carries what the item's row holds at that moment.
    assert all((data["stage"], data["message"]) == (stage, msg) for data, stage, msg in pushed)
    done = api.get("/api/queue/status").json()["completed"][0]["progress"]
    assert (done["stage"], done["message"]) == ("", "")


def test_media_retries_and_the_fallback_are_shown_while_they_happen(api, series, hosters, pushed):
    hosters.fail_media()

    item = download(api)

    assert item.status == Status.FAILED
    messages = [data["message"] for data, _, _ in pushed]
    cdn = hosters.cdn.url.removeprefix("http://")
    assert f"VOE: HTTP 503 from {cdn}; retrying the playlist (1/2) in 0 s" in messages
    assert f"VOE: HTTP 503 from {cdn}; retrying the playlist (2/2) in 0 s" in messages
    assert any(
        m.startswith("VOE failed (the media server answered HTTP 503")
        and m.endswith("; falling back to Vidoza")
        for m in messages
    )
    assert f"Vidoza: HTTP 503 from {cdn}; retrying the file (2/2) in 0 s" in messages
    assert stages(pushed) == [
        "resolving",
        "downloading",
        "retrying",
        "falling_back",
        "resolving",
        "downloading",
        "retrying",
    ]
    # The fetch retried; the link is not retried on top (3 requests, not 9).
    assert len(hosters.media_requests("/voe/hls/master.m3u8")) == 3


def test_a_failing_hoster_page_is_retried_with_a_countdown(api, series, hosters, pushed, settings):
    settings.DOWNLOAD_BACKOFF_SCALE = 0.05  # pauses of 0.1 s and 0.2 s
    hosters.fail_page("VOE")

    item = download(api)

    assert item.status == Status.COMPLETED, item.error
    assert item.hoster == "Vidoza"
    messages = [data["message"] for data, _, _ in pushed]
    assert any(m.startswith("retrying VOE 2/3 in 1 s (") for m in messages), messages
    assert any(m.startswith("retrying VOE 3/3 in 1 s (") for m in messages), messages
    assert any(m.endswith("; falling back to Vidoza") for m in messages)


def test_a_retry_does_not_read_the_redirect_or_the_embed_page_again(api, series, hosters, world):
    hosters.serve_html_instead_of_video()  # retried: a later try may get the video

    item = download(api)

    assert item.status == Status.FAILED
    assert item.error.count("web page instead of a video") == 2  # VOE, then Vidoza
    assert [r.path for r in hosters.voe.requests] == ["/e/abc123def456"]
    assert len(hosters.vidoza.requests) == 1
    redirects = [r for r in world.server.requests if r.path.startswith("/redirect/")]
    assert len(redirects) == 2  # one per hoster
