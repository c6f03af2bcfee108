"""Checks only a person can pass: the item ends CHALLENGE with the links to open, and
the video page the owner reached in their own browser completes it.

s.to's ``/r?t=`` redirector asks flagged addresses for a Turnstile or ALTCHA check
(SITES.md "Access problems (2026)"). Dark S01E02 is offered by VOE and Doodstream in
German and English; tasks run inline, so a download ends within the API call.
"""

from __future__ import annotations

import pytest

from aniworld import config
from downloads import signals
from downloads.models import DownloadItem, HosterAttempt
from tests.factories import add_series, queue_episode
from tests.fakes.world import connect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("library_root")]


@pytest.fixture
def dark(api, sto_site, hosters):
    connect(sto_site, hosters)
    add_series(api, "dark", "s.to")
    return sto_site


def queue_dark(api, episode=2):
    return queue_episode(api, 1, episode, key="dark").id


def queue_item(api, item_id):
    status = api.get("/api/queue/status").json()
    everything = [status["active"], *status["pending"], *status["completed"], *status["failed"]]
    return next(item for item in everything if item and item["id"] == item_id)


def blocked_item(api, dark, kind="turnstile"):
    dark.check_redirects(kind)
    item_id = queue_dark(api)
    item = queue_item(api, item_id)
    assert item["status"] == "failed", item
    return item


@pytest.mark.parametrize("kind", ["turnstile", "altcha"])
def test_when_every_redirect_asks_for_a_check_the_item_ends_challenge_with_the_links(
    api, dark, kind
):
    item = blocked_item(api, dark, kind)

    assert item["error_code"] == "CHALLENGE"
    assert "paste the address of the video page" in item["error"]
    german = [link for link in item["links"] if link["language"] == "german-dub"]
    assert {link["hoster"] for link in german} == {"VOE", "Doodstream"}
    for link in german:
        token = dark.link_id("dark", 1, 2, link["hoster"], "german-dub")
        assert link["url"] == f"{dark.url}/r?t=tok{token}"


def test_the_index_sites_checks_do_not_count_against_the_hosters(api, dark):
    blocked_item(api, dark)

    assert HosterAttempt.objects.count() == 0


def test_a_check_in_front_of_every_hoster_also_ends_challenge(api, dark, hosters):
    hosters.challenge("VOE", "cloudflare")
    hosters.challenge("Doodstream", "altcha")

    item = queue_item(api, queue_dark(api))

    assert item["error_code"] == "CHALLENGE"
    assert {link["hoster"] for link in item["links"]} == {"VOE", "Doodstream"}
    assert all("/r?t=tok" in link["url"] for link in item["links"])


def test_an_ordinary_failure_is_no_challenge(api, dark, hosters):
    hosters.break_page("VOE")
    hosters.remove_page("Doodstream")

    item = queue_item(api, queue_dark(api))

    assert item["status"] == "failed"
    assert item["error_code"] == ""
    assert item["links"] == []


def test_the_pasted_video_page_is_tried_first_and_completes_the_item(api, dark, hosters):
    item = blocked_item(api, dark)

    response = api.post(
        f"/api/queue/{item['id']}/link",
        {"url": hosters.embed_url("Doodstream"), "hoster": "doodstream"},
        format="json",
    )

    assert response.status_code == 200, response.content
    done = queue_item(api, item["id"])
    assert done["status"] == "completed", done["error"]
    assert done["hoster"] == "Doodstream"
    assert done["error_code"] == ""
    assert done["file_path"].endswith(".mp4")
    # The site's redirects still ask for the check: the pasted page was all it took.
    assert dark.redirect_check == "turnstile"
    assert hosters.voe.requests == []


def test_without_a_hoster_name_the_pasted_page_is_recognised(api, dark, hosters):
    """Vidoza offers nothing for Dark; its page is recognised all the same (the VOE
    extractor, first in the order, does not understand it)."""
    item = blocked_item(api, dark)

    api.post(f"/api/queue/{item['id']}/link", {"url": hosters.embed_url("Vidoza")}, format="json")

    done = DownloadItem.objects.get(id=item["id"])
    assert done.status == "completed", done.error
    assert done.hoster == "Vidoza"
    assert HosterAttempt.objects.filter(hoster="Vidoza", succeeded=True).count() == 1


def test_a_pasted_page_that_fails_too_leaves_the_item_challenged_again(api, dark, hosters):
    item = blocked_item(api, dark)
    hosters.remove_page("Vidoza")

    api.post(f"/api/queue/{item['id']}/link", {"url": hosters.embed_url("Vidoza")}, format="json")

    again = queue_item(api, item["id"])
    assert again["status"] == "failed"
    assert again["error_code"] == "CHALLENGE"
    assert "pasted link" in again["error"]
    assert again["retry_count"] == 1


@pytest.mark.parametrize(
    "body",
    [
        {"url": "javascript:alert(1)"},
        {"url": "ftp://voe.sx/e/abc"},
        {"url": "/e/abc"},
        {"url": ""},
        {},
        {"url": "https://voe.sx/e/abc", "hoster": "Megaupload"},
    ],
    ids=["javascript", "ftp", "relative", "empty", "missing", "unknown-hoster"],
)
def test_a_pasted_link_that_is_no_web_address_or_names_no_known_hoster_is_422(api, dark, body):
    item = blocked_item(api, dark)

    response = api.post(f"/api/queue/{item['id']}/link", body, format="json")

    assert response.status_code == 422
    assert response.json()["error"] == "VALIDATION_ERROR"
    assert DownloadItem.objects.get(id=item["id"]).status == "failed"


def test_a_link_for_an_unknown_item_is_404(api, dark):
    response = api.post("/api/queue/999999/link", {"url": "https://voe.sx/e/a"}, format="json")

    assert response.status_code == 404


def test_a_link_for_an_item_still_queued_is_409(api, dark):
    api.post("/api/queue/stop")
    item_id = queue_dark(api)

    response = api.post(f"/api/queue/{item_id}/link", {"url": "https://voe.sx/e/a"}, format="json")

    assert response.status_code == 409
    assert response.json()["error"] == "ITEM_ACTIVE"


def test_the_failure_signal_lets_receivers_recognise_a_challenge(api, dark):
    received = []

    def receiver(sender, item, message, **kwargs):
        received.append((item.error_code, item.links, message))

    signals.download_failed.connect(receiver)
    try:
        blocked_item(api, dark)
    finally:
        signals.download_failed.disconnect(receiver)

    ((code, links, message),) = received
    assert code == "CHALLENGE"
    assert links
    assert "check" in message


def test_a_retry_clears_the_challenge(api, dark):
    item = blocked_item(api, dark)
    dark.check_redirects(None)

    api.post(f"/api/queue/{item['id']}/retry")

    done = queue_item(api, item["id"])
    assert done["status"] == "completed"
    assert done["error_code"] == ""


def test_the_queue_page_walks_the_owner_through_the_check(api, owner_client, dark, hosters):
    item = blocked_item(api, dark, "altcha")

    page = owner_client.get("/queue/").content.decode()

    assert f'data-challenge="{item["id"]}"' in page
    assert "pass the check" in page
    for link in item["links"]:
        assert f'href="{link["url"]}"' in page
    assert f'id="link-url-{item["id"]}"' in page

    response = owner_client.post(
        f"/queue/{item['id']}/link",
        {"url": hosters.embed_url("VOE"), "hoster": ""},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    done = DownloadItem.objects.get(id=item["id"])
    assert done.status == "completed", done.error
    assert done.hoster == "VOE"


def test_the_queue_page_says_what_is_wrong_with_a_pasted_link(owner_client, api, dark):
    item = blocked_item(api, dark)

    response = owner_client.post(
        f"/queue/{item['id']}/link", {"url": "not a link"}, HTTP_HX_REQUEST="true"
    )

    assert "starting with http:// or https://" in response.content.decode()
    assert DownloadItem.objects.get(id=item["id"]).status == "failed"


def test_a_pasted_page_of_a_hoster_left_out_of_the_order_is_still_recognised(api, dark, hosters):
    config.store().update({"downloads": {"hoster_order": ["VOE", "Doodstream"]}})
    item = blocked_item(api, dark)

    api.post(f"/api/queue/{item['id']}/link", {"url": hosters.embed_url("Filemoon")}, format="json")

    done = DownloadItem.objects.get(id=item["id"])
    assert done.status == "completed", done.error
    assert done.hoster == "Filemoon"


def test_a_challenged_item_that_runs_again_sheds_its_error_code(api, dark):
    item = blocked_item(api, dark)
    dark.check_redirects(None)
    DownloadItem.objects.filter(id=item["id"]).update(status="pending")  # as the admin's retry

    api.post("/api/queue/start")

    done = queue_item(api, item["id"])
    assert done["status"] == "completed"
    assert done["error_code"] == ""


def test_with_some_links_broken_and_the_rest_blocked_the_blocked_ones_are_offered(
    api, dark, hosters
):
    hosters.remove_page("VOE")
    hosters.challenge("Doodstream", "turnstile")

    item = queue_item(api, queue_dark(api))

    assert item["error_code"] == "CHALLENGE"
    assert [link["hoster"] for link in item["links"]] == ["Doodstream"]
    assert "VOE (German dub)" in item["error"]
