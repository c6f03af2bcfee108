"""Every try of a hoster is recorded; from the records come GET /api/hosters, the
System page's table and the automatic fallback order."""

from __future__ import annotations

import pytest

from aniworld import config
from downloads import hoster_stats
from downloads.models import HosterAttempt
from tests.factories import queue_episode

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("library_root")]


def fail(hoster, times, error="HTTP 503"):
    for _ in range(times):
        hoster_stats.record(hoster, succeeded=False, error=error)


def succeed(hoster, times):
    for _ in range(times):
        hoster_stats.record(hoster, succeeded=True)


def by_name(api):
    response = api.get("/api/hosters")
    assert response.status_code == 200
    return {hoster["name"]: hoster for hoster in response.json()}


def test_the_worker_records_each_hosters_failure_and_success(api, series, hosters):
    hosters.break_page("VOE")

    item = queue_episode(api)

    assert item.hoster == "Vidoza"
    stats = by_name(api)
    assert stats["VOE"]["attempts"] == 1
    assert stats["VOE"]["succeeded"] == 0
    assert stats["VOE"]["success_rate"] == 0.0
    assert "no video source" in stats["VOE"]["last_error"]
    assert stats["VOE"]["last_success_at"] is None
    assert stats["Vidoza"] == {
        "name": "Vidoza",
        "attempts": 1,
        "succeeded": 1,
        "success_rate": 1.0,
        "last_error": "",
        "last_success_at": stats["Vidoza"]["last_success_at"],
    }
    assert stats["Vidoza"]["last_success_at"]
    assert HosterAttempt.objects.get(hoster="Vidoza").item_id == item.id


def test_a_media_failure_counts_against_the_hoster(api, series, hosters):
    hosters.serve_html_instead_of_video()

    queue_episode(api)

    stats = by_name(api)
    # One link of each hoster per wanted language (German dub and sub, English sub).
    assert stats["VOE"]["attempts"] == 3
    assert stats["VOE"]["succeeded"] == 0
    assert stats["Vidoza"]["attempts"] == 3
    assert stats["Vidoza"]["succeeded"] == 0
    assert "instead of a video" in stats["Vidoza"]["last_error"]


def test_every_hoster_is_listed_before_its_first_attempt(api):
    stats = by_name(api)

    assert list(stats) == ["VOE", "Vidoza", "Doodstream", "Vidmoly", "Filemoon"]
    assert stats["Filemoon"]["attempts"] == 0
    assert stats["Filemoon"]["success_rate"] is None


def test_the_success_rate_covers_the_last_50_attempts(api):
    fail("VOE", 30)
    succeed("VOE", 40)
    fail("VOE", 10, error="the newest error")

    voe = by_name(api)["VOE"]

    assert voe["attempts"] == 50
    assert voe["succeeded"] == 40
    assert voe["success_rate"] == 0.8
    assert voe["last_error"] == "the newest error"


def test_a_hoster_whose_last_10_attempts_failed_goes_last():
    fail("VOE", 10)
    fail("Vidoza", 9)

    assert hoster_stats.fallback_order(["VOE", "Vidoza", "Doodstream"]) == [
        "Vidoza",
        "Doodstream",
        "VOE",
    ]


def test_one_success_among_the_last_10_keeps_the_hoster_in_place():
    fail("VOE", 20)
    succeed("VOE", 1)
    fail("VOE", 9)

    assert hoster_stats.fallback_order(["VOE", "Vidoza"]) == ["VOE", "Vidoza"]


def test_the_worker_tries_a_failing_hoster_last(api, series, hosters):
    fail("VOE", 10)

    item = queue_episode(api)

    assert item.status == "completed", item.error
    assert item.hoster == "Vidoza"
    assert hosters.voe.requests == []


def test_without_hoster_order_auto_the_owners_order_stands(api, series, hosters):
    config.store().update({"downloads": {"hoster_order_auto": False}})
    fail("VOE", 10)

    item = queue_episode(api)

    assert item.hoster == "VOE"


def test_hoster_order_auto_must_be_true_or_false(api):
    response = api.patch("/api/config", {"downloads": {"hoster_order_auto": "yes"}}, format="json")

    assert response.status_code == 422
    assert "downloads.hoster_order_auto" in response.json()["details"]


def test_old_records_are_dropped_beyond_what_the_figures_need(monkeypatch):
    monkeypatch.setattr(hoster_stats, "KEEP_PER_HOSTER", 60)
    fail("VOE", 70)

    assert HosterAttempt.objects.filter(hoster="VOE").count() == 60


def test_the_system_page_shows_each_hosters_success_and_last_error(owner_client):
    succeed("VOE", 3)
    fail("VOE", 1, error="VOE: no video source on https://voe.example/e/1")

    page = owner_client.get("/system/").content.decode()

    assert 'id="hoster-table"' in page
    row = page[page.index('data-hoster="VOE"') :].split("</tr>")[0]
    assert "75 %" in row
    assert "3 of 4" in row
    assert "no video source on https://voe.example/e/1" in row
    assert "not tried yet" in page[page.index('data-hoster="Filemoon"') :].split("</tr>")[0]
