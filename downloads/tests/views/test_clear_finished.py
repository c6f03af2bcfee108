"""POST /queue/finished/clear: "Clear finished"."""

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
URL = "/queue/finished/clear"


def numbers() -> list[int]:
    return sorted(DownloadItem.objects.values_list("episode__number", flat=True))


@pytest.fixture
def finished(make_item, stopped) -> None:
    make_item(1, Status.COMPLETED)
    make_item(2, Status.CANCELLED)
    make_item(3, Status.FAILED)
    make_item(4)


def test_it_removes_completed_and_cancelled_items(owner_client, finished):
    answer = press(owner_client, URL)

    assert numbers() == [3, 4]  # failures stay until retried or dismissed
    assert answer.toast == "Cleared 2 finished item(s)."
    assert answer.queue.find(id="queue-clear-finished") is None


def test_without_javascript_it_returns_to_the_queue_with_a_message(owner_client, finished):
    assert submit(owner_client, URL) == ("success", "Cleared 2 finished item(s).")
    assert numbers() == [3, 4]


def test_with_nothing_finished_it_says_so(owner_client, stopped):
    answer = press(owner_client, URL)
    assert (answer.toast, answer.error) == ("Nothing finished to clear.", "")


def test_it_needs_a_login(client, configured, finished):
    assert_needs_a_login(client, URL)
    assert numbers() == [1, 2, 3, 4]


def test_it_needs_the_csrf_token(csrf_client, finished):
    assert_needs_the_csrf_token(csrf_client, URL)
    assert numbers() == [1, 2, 3, 4]
