"""GET /api/history: newest first, filters, pagination, clear errors."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from history.models import Event
from tests.factories import make_history_event

pytestmark = pytest.mark.django_db


def test_the_history_lists_events_newest_first_in_the_documented_shape(api):
    first = make_history_event(Event.GRABBED, language="german-dub")
    second = make_history_event(
        Event.IMPORTED, hoster="VOE", file_path="A/S01E01.mp4", message="12 bytes"
    )

    response = api.get("/api/history")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["next"] is None
    assert body["previous"] is None
    assert [row["id"] for row in body["results"]] == [second.id, first.id]
    assert set(body["results"][0]) == {
        "id", "at", "event", "series_key", "season", "episode",
        "language", "hoster", "file_path", "message",
    }  # fmt: skip
    assert body["results"][0]["hoster"] == "VOE"
    assert body["results"][1]["event"] == "grabbed"


def test_filters_by_series_and_event(api):
    make_history_event(Event.IMPORTED, key="a")
    make_history_event(Event.FAILED, key="a", message="VOE: 404")
    make_history_event(Event.FAILED, key="b")

    rows = api.get("/api/history?series=a&event=failed").json()["results"]

    assert [(row["series_key"], row["event"], row["message"]) for row in rows] == [
        ("a", "failed", "VOE: 404")
    ]


def test_since_keeps_only_later_events(api):
    with time_machine.travel(dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)):
        make_history_event(episode=1)
    with time_machine.travel(dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)):
        make_history_event(episode=2)

    by_date = api.get("/api/history?since=2026-02-01").json()
    by_time = api.get("/api/history?since=2026-03-01T12:00:00Z").json()

    assert [row["episode"] for row in by_date["results"]] == [2]
    assert by_time["count"] == 1


def test_pages_of_fifty_link_to_each_other(api):
    for number in range(55):
        make_history_event(episode=number)

    first = api.get("/api/history").json()
    second = api.get("/api/history?page=2").json()

    assert first["count"] == 55
    assert len(first["results"]) == 50
    assert "page=2" in first["next"]
    assert len(second["results"]) == 5
    assert second["results"][-1]["episode"] == 0


@pytest.mark.parametrize(
    ("query", "field"), [("event=exploded", "event"), ("since=yesterday", "since")]
)
def test_bad_filters_are_refused_with_the_field_named(api, query, field):
    response = api.get(f"/api/history?{query}")

    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "VALIDATION_ERROR"
    assert field in body["details"]


def test_a_page_past_the_end_is_not_found(api):
    response = api.get("/api/history?page=9")
    assert response.status_code == 404
    assert response.json()["success"] is False


def test_the_history_needs_a_login(client, configured):
    assert client.get("/api/history").status_code == 401


def test_rows_record_when_they_happened(api):
    before = timezone.now()
    row = make_history_event()
    assert before <= row.at <= timezone.now()
