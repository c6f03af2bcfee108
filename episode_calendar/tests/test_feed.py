"""/feed/calendar.ics: all-day events for calendar apps, guarded by the API key."""

from datetime import timedelta

import pytest

from accounts import api_key
from episode_calendar.ics import fold

pytestmark = pytest.mark.django_db


def events(body: bytes) -> list[dict[str, str]]:
    """The VEVENTs of a feed, unfolded, as {property (with parameters): value}."""
    text = body.decode("utf-8").replace("\r\n ", "")
    found, current = [], None
    for line in text.split("\r\n"):
        if line == "BEGIN:VEVENT":
            current = {}
        elif line == "END:VEVENT":
            found.append(current)
            current = None
        elif current is not None and line:
            name, _, value = line.partition(":")
            current[name] = value
    return found


def test_the_feed_lists_recent_and_coming_episodes_as_all_day_events(
    client, configured, airing, today
):
    response = client.get(f"/feed/calendar.ics?apikey={api_key.current_key()}")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    assert body.startswith(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert body.endswith(b"END:VCALENDAR\r\n")
    listed = {e["SUMMARY"]: e for e in events(body)}
    # The 2020 episode is long past the feed's window.
    assert set(listed) == {
        "Frieren - S01E01 - Das Ende",
        "Frieren - S01E02 - Folge 2",
        "Frieren - S01E03 - Die dritte",
        "Attack on Titan - S04E30 - Finale",
    }
    second = listed["Frieren - S01E02 - Folge 2"]
    assert second["DTSTART;VALUE=DATE"] == today.strftime("%Y%m%d")
    assert second["DTEND;VALUE=DATE"] == (today + timedelta(days=1)).strftime("%Y%m%d")
    assert second["UID"] == "aniworld-frieren-s01e02@aniworld"
    assert (
        second["DESCRIPTION"]
        == "Aired\\, not downloaded yet.\\n\\nPlot\\, mit\\; Zeichen\\nund Zeilen."
    )
    assert listed["Frieren - S01E01 - Das Ende"]["CATEGORIES"] == "downloaded"
    assert listed["Frieren - S01E03 - Die dritte"]["CATEGORIES"] == "upcoming"


def test_every_line_of_the_feed_is_at_most_75_octets(client, configured, airing):
    airing["frieren"].name = "Frieren – Nach dem Ende der Reise " * 5  # noqa: RUF001
    airing["frieren"].save()

    body = client.get(f"/feed/calendar.ics?apikey={api_key.current_key()}").content

    assert max(len(line) for line in body.split(b"\r\n")) <= 75
    assert "Nach dem Ende der Reise" in body.decode("utf-8").replace("\r\n ", "")


def test_folding_never_splits_a_character():
    folded = fold("SUMMARY:" + "ä" * 80)

    assert all(len(line.encode()) <= 75 for line in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == "SUMMARY:" + "ä" * 80


def test_without_a_key_the_feed_is_refused(client, configured):
    response = client.get("/feed/calendar.ics")

    assert response.status_code == 401
    assert response.json()["success"] is False
    assert "apikey" in response.json()["message"]


def test_a_wrong_key_is_refused(client, configured):
    response = client.get("/feed/calendar.ics?apikey=0123456789abcdef0123456789abcdef")

    assert response.status_code == 403
    assert response.json()["error"] == "FORBIDDEN"


def test_a_logged_in_browser_still_needs_the_key(owner_client):
    assert owner_client.get("/feed/calendar.ics").status_code == 401


def test_a_regenerated_key_replaces_the_old_one(client, configured):
    old = api_key.current_key()
    new = api_key.regenerate()

    assert new != old
    assert client.get(f"/feed/calendar.ics?apikey={old}").status_code == 403
    assert client.get(f"/feed/calendar.ics?apikey={new}").status_code == 200
