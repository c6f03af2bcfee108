"""POST /queue/pending/cancel: "Remove all pending"."""

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
URL = "/queue/pending/cancel"


def statuses() -> dict[int, str]:
    return dict(DownloadItem.objects.values_list("episode__number", "status"))


def test_it_cancels_every_waiting_item_and_nothing_else(owner_client, waiting, make_item):
    make_item(4, Status.DOWNLOADING)

    answer = press(owner_client, URL)

    assert statuses() == {1: "cancelled", 2: "cancelled", 3: "cancelled", 4: "downloading"}
    assert answer.toast == "Removed 3 waiting episode(s) from the queue."
    assert "Nothing is waiting to download." in answer.queue.get_text()


def test_without_javascript_it_returns_to_the_queue_with_a_message(owner_client, waiting):
    message = "Removed 3 waiting episode(s) from the queue."
    assert submit(owner_client, URL) == ("success", message)
    assert set(statuses().values()) == {Status.CANCELLED}


def test_with_nothing_waiting_it_says_so(owner_client, stopped):
    answer = press(owner_client, URL)
    assert (answer.toast, answer.error) == ("Nothing was waiting.", "")


def test_it_needs_a_login(client, configured, waiting):
    assert_needs_a_login(client, URL)
    assert set(statuses().values()) == {Status.PENDING}


def test_it_needs_the_csrf_token(csrf_client, waiting):
    assert_needs_the_csrf_token(csrf_client, URL)
    assert set(statuses().values()) == {Status.PENDING}
