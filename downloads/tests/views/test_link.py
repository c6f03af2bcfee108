"""POST /queue/<id>/link: the form of an item that failed on a check only a person can
pass, taking the address of the video page the owner reached."""

from __future__ import annotations

import pytest

from downloads.models import DownloadItem, Status
from downloads.tests.views.answers import (
    assert_needs_a_login,
    assert_needs_the_csrf_token,
    press,
    submit,
)

pytestmark = pytest.mark.django_db
PAGE = "https://voe.example/e/abc123"


def url(item_id: int) -> str:
    return f"/queue/{item_id}/link"


@pytest.fixture
def blocked(make_item, stopped) -> DownloadItem:
    return make_item(2, Status.FAILED, error="Every link asks for a check.", error_code="CHALLENGE")


def test_it_queues_the_item_again_with_the_page(owner_client, blocked):
    answer = press(owner_client, url(blocked.id), {"url": PAGE, "hoster": "VOE"})

    blocked.refresh_from_db()
    assert blocked.status == Status.PENDING
    assert (blocked.user_link_url, blocked.user_link_hoster) == (PAGE, "VOE")
    assert answer.toast == "Queued Frieren S01E02 again with the page you reached."
    assert answer.queue.find(attrs={"data-challenge": str(blocked.id)}) is None


def test_without_a_hoster_it_is_recognised_from_the_page(owner_client, blocked):
    press(owner_client, url(blocked.id), {"url": PAGE, "hoster": ""})
    blocked.refresh_from_db()
    assert (blocked.user_link_url, blocked.user_link_hoster) == (PAGE, "")


def test_without_javascript_it_returns_to_the_queue_with_a_message(owner_client, blocked):
    message = "Queued Frieren S01E02 again with the page you reached."
    assert submit(owner_client, url(blocked.id), {"url": PAGE}) == ("success", message)
    blocked.refresh_from_db()
    assert blocked.status == Status.PENDING


def test_what_is_not_a_web_address_is_a_clear_error(owner_client, blocked):
    message = "Paste the full address of the video page, starting with http:// or https://."

    assert press(owner_client, url(blocked.id), {"url": "not a link"}).error == message
    assert submit(owner_client, url(blocked.id), {"url": "javascript:alert(1)"}) == (
        "error",
        message,
    )
    blocked.refresh_from_db()
    assert (blocked.status, blocked.user_link_url) == (Status.FAILED, "")


def test_a_downloading_item_takes_no_link(owner_client, make_item, stopped):
    running = make_item(1, Status.DOWNLOADING)

    answer = press(owner_client, url(running.id), {"url": PAGE})

    assert answer.error == (
        f"Item {running.id} is downloading; a link can be given once it has failed."
    )
    running.refresh_from_db()
    assert running.user_link_url == ""


def test_an_unknown_item_is_a_clear_error(owner_client, blocked):
    answer = press(owner_client, url(blocked.id + 1), {"url": PAGE})
    assert answer.error == f"No queue item {blocked.id + 1}."


def test_it_needs_a_login(client, configured, blocked):
    assert_needs_a_login(client, url(blocked.id), {"url": PAGE})
    blocked.refresh_from_db()
    assert blocked.status == Status.FAILED


def test_it_needs_the_csrf_token(csrf_client, blocked):
    assert_needs_the_csrf_token(csrf_client, url(blocked.id), {"url": PAGE})
    blocked.refresh_from_db()
    assert blocked.status == Status.FAILED
