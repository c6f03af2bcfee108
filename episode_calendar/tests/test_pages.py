"""The Calendar page (an agenda by day) and the API key card on the Settings page."""

from datetime import date, timedelta

import pytest

from accounts import api_key
from episode_calendar.tests.conftest import air
from tests.factories import make_series

pytestmark = pytest.mark.django_db


def test_the_agenda_groups_episodes_by_day_and_marks_their_state(owner_client, airing, today):
    start = today - timedelta(days=7)

    response = owner_client.get(f"/calendar/?start={start}")

    assert response.status_code == 200
    html = response.content.decode()
    # Two weeks from the start: a week ago and today have episodes.
    assert html.count('class="agenda-day') == 2
    assert f'datetime="{today:%Y-%m-%d}"' in html
    assert 'data-status="downloaded"' in html
    assert 'data-status="missing"' in html
    assert html.index("Das Ende") < html.index("Finale") < html.index("Folge 2")
    assert 'href="/series/frieren/"' in html
    assert 'aria-current="page">Calendar</a>' in html


def test_it_starts_today_and_pages_two_weeks_at_a_time(owner_client, airing, today):
    html = owner_client.get("/calendar/").content.decode()

    assert "Das Ende" not in html  # a week ago
    assert "Die dritte" in html
    assert 'data-status="upcoming"' in html
    assert f'href="?start={today + timedelta(days=14):%Y-%m-%d}"' in html
    assert f'href="?start={today - timedelta(days=14):%Y-%m-%d}"' in html


def test_a_bad_start_says_so_and_shows_the_coming_days(owner_client, airing):
    html = owner_client.get("/calendar/?start=yesterday").content.decode()

    assert "start must be a date as YYYY-MM-DD" in html
    assert "Finale" in html


@pytest.mark.parametrize(
    ("setup", "advice"),
    [
        ("nothing", "no TMDB API key is set"),
        ("key", "Your library is empty"),
        ("series", "No air dates yet"),
        ("dates", "Nothing airs in this period"),
    ],
)
def test_an_empty_calendar_says_what_to_do_next(owner_client, monkeypatch, setup, advice):
    if setup != "nothing":
        monkeypatch.setenv("TMDB_API_KEY", "0123456789abcdef0123456789abcdef")
    if setup in ("series", "dates"):
        series = make_series("frieren", "Frieren")
    if setup == "dates":
        air(series, 1, 1, date(2001, 1, 1))

    html = owner_client.get("/calendar/").content.decode()

    assert advice in html


def test_the_calendar_needs_a_login(client, configured):
    response = client.get("/calendar/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_settings_show_the_key_and_the_feed_address(owner_client):
    html = owner_client.get("/settings/").content.decode()

    key = api_key.current_key()
    assert f'value="{key}"' in html
    assert f"/feed/calendar.ics?apikey={key}" in html
    assert 'data-confirm="Make a new API key?' in html


def test_the_settings_button_makes_a_new_key(owner_client):
    old = api_key.current_key()

    response = owner_client.post("/settings/api-key/regenerate", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    new = api_key.current_key()
    assert new != old
    html = response.content.decode()
    assert f'value="{new}"' in html
    assert old not in html
    assert "old one no longer works" in response["HX-Trigger"]


def test_without_htmx_the_button_returns_to_the_settings(owner_client):
    response = owner_client.post("/settings/api-key/regenerate")

    assert response.status_code == 302
    assert response["Location"] == "/settings/#section-api-key"
