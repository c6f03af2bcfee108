"""The History page and the history panel of a Series page."""

import pytest

from history.models import Event
from tests.factories import make_history_event, make_series

pytestmark = pytest.mark.django_db


def test_an_empty_history_says_what_fills_it(owner_client):
    response = owner_client.get("/history/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "No history yet." in html
    assert 'href="/wanted/"' in html  # what to do next


def test_the_history_page_lists_events_with_their_reasons(owner_client):
    make_history_event(Event.FAILED, message="Every hoster failed.\nVOE (German dub): HTTP 404")
    make_history_event(Event.IMPORTED, episode=2, language="english-dub")

    html = owner_client.get("/history/").content.decode()

    assert "Every hoster failed.\nVOE (German dub): HTTP 404" in html
    assert '<span class="badge badge-muted">English dub</span>' in html
    assert "S01E01" in html
    assert 'href="/series/attack-on-titan/"' in html
    assert 'aria-current="page">History<' in html


def test_the_history_page_filters_like_the_api(owner_client):
    make_history_event(Event.IMPORTED, message="imported row")
    make_history_event(Event.FAILED, message="failed row")

    html = owner_client.get("/history/?event=failed").content.decode()

    assert "failed row" in html
    assert "imported row" not in html


def test_an_htmx_filter_answers_only_the_list(owner_client):
    make_history_event(Event.FAILED, message="failed row")

    response = owner_client.get(
        "/history/?event=failed", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="history-list"
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="history-list"')
    assert "failed row" in html


def test_a_bad_filter_is_explained_on_the_page(owner_client):
    response = owner_client.get("/history/?since=soon")

    assert response.status_code == 200
    assert "since must be a date (YYYY-MM-DD)" in response.content.decode()


def test_a_filter_matching_nothing_offers_to_show_all(owner_client):
    make_history_event()
    html = owner_client.get("/history/?event=renamed").content.decode()
    assert "No events match this filter" in html


def test_the_series_panel_shows_only_that_series(owner_client):
    make_history_event(message="ours")
    make_history_event(key="other", message="theirs")

    html = owner_client.get("/history/series/attack-on-titan").content.decode()

    assert "ours" in html
    assert "theirs" not in html


def test_the_series_panel_links_to_older_events(owner_client):
    for number in range(12):
        make_history_event(episode=number)

    html = owner_client.get("/history/series/attack-on-titan").content.decode()

    assert html.count("<li class=") == 10
    assert "/history/?series=attack-on-titan" in html


def test_the_history_page_needs_a_login(client, configured):
    response = client.get("/history/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_series_page_loads_its_history_panel(owner_client, library_root):
    make_series("attack-on-titan", "Attack on Titan", folder="AoT")

    html = owner_client.get("/series/attack-on-titan/").content.decode()

    assert 'hx-get="/history/series/attack-on-titan"' in html
    assert 'href="/history/?series=attack-on-titan"' in html
