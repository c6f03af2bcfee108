"""GET /api/calendar: episodes by air date, with what is on disk; bad ranges are 422."""

from datetime import timedelta

import pytest

from library.models import Episode

pytestmark = pytest.mark.django_db


def test_it_lists_the_episodes_of_the_range_by_day_series_and_number(api, airing, today):
    start, end = today - timedelta(days=7), today + timedelta(days=7)

    response = api.get(f"/api/calendar?start={start}&end={end}")

    assert response.status_code == 200
    assert response.json() == [
        {"series_key": "frieren", "series_name": "Frieren", "season": 1, "episode": 1,
         "title": "Das Ende", "air_date": str(start), "is_downloaded": True},
        {"series_key": "attack-on-titan", "series_name": "Attack on Titan", "season": 4,
         "episode": 30, "title": "Finale", "air_date": str(today), "is_downloaded": False},
        {"series_key": "frieren", "series_name": "Frieren", "season": 1, "episode": 2,
         "title": "Folge 2", "air_date": str(today), "is_downloaded": False},
        {"series_key": "frieren", "series_name": "Frieren", "season": 1, "episode": 3,
         "title": "Die dritte", "air_date": str(end), "is_downloaded": False},
    ]  # fmt: skip


def test_both_ends_of_the_range_count(api, airing, today):
    response = api.get(f"/api/calendar?start={today}&end={today}")

    assert [(e["series_key"], e["episode"]) for e in response.json()] == [
        ("attack-on-titan", 30),
        ("frieren", 2),
    ]


def test_without_a_range_it_shows_the_coming_week(api, airing, today):
    response = api.get("/api/calendar")

    assert [e["air_date"] for e in response.json()] == [str(today), str(today)]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("start=2026-13-01&end=2026-12-31", "start", "start must be a date as YYYY-MM-DD"),
        ("start=2026-01-01&end=tomorrow", "end", "end must be a date as YYYY-MM-DD"),
        ("start=20260101&end=2026-01-02", "start", "start must be a date"),
        ("start=2026-02-01&end=2026-01-31", "end", "end must not be before start"),
        ("start=2026-01-01&end=2027-01-02", "end", "at most 366 days"),
    ],
)
def test_bad_ranges_are_refused_with_a_clear_message(api, db, query, field, message):
    response = api.get(f"/api/calendar?{query}")

    assert response.status_code == 422
    body = response.json()
    assert body["success"] is False
    assert body["error"] == "VALIDATION_ERROR"
    assert message in body["message"]
    assert field in body["details"]


def test_a_whole_year_is_allowed(api, airing):
    assert api.get("/api/calendar?start=2020-01-01&end=2020-12-31").status_code == 200


def test_it_needs_authentication(client, configured):
    response = client.get("/api/calendar")

    assert response.status_code == 401
    assert response.json()["error"] == "UNAUTHORIZED"


def test_the_title_is_the_indexs_german_then_english_then_tmdbs(api, airing, today):
    Episode.objects.filter(series=airing["frieren"], season=1, number=2).update(title_en="Second")

    response = api.get(f"/api/calendar?start={today}&end={today}")

    assert [e["title"] for e in response.json()] == ["Finale", "Second"]
