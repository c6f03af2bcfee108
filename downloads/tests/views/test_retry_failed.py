"""POST /queue/failed/retry: "Retry all failed"."""

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
URL = "/queue/failed/retry"


def statuses() -> dict[int, str]:
    return dict(DownloadItem.objects.values_list("episode__number", "status"))


@pytest.fixture
def failures(make_item, stopped) -> list[DownloadItem]:
    return [make_item(n, Status.FAILED, error="Every hoster failed.") for n in (1, 2)]


def test_it_queues_every_failed_item_again(owner_client, failures, make_item):
    make_item(3, Status.COMPLETED)

    answer = press(owner_client, URL)

    assert statuses() == {1: Status.PENDING, 2: Status.PENDING, 3: Status.COMPLETED}
    assert answer.toast == "Queued 2 failed download(s) again."
    assert answer.queue.find(id="queue-retry-failed") is None  # nothing failed any more


def test_an_episode_queued_again_meanwhile_is_left_out(owner_client, failures, make_item):
    make_item(2, Status.PENDING)

    answer = press(owner_client, URL)

    assert answer.toast == "Queued 1 failed download(s) again."
    assert DownloadItem.objects.get(id=failures[1].id).status == Status.FAILED


def test_without_javascript_it_returns_to_the_queue_with_a_message(owner_client, failures):
    assert submit(owner_client, URL) == ("success", "Queued 2 failed download(s) again.")
    assert set(statuses().values()) == {Status.PENDING}


def test_with_nothing_failed_it_says_so(owner_client, make_item, stopped):
    make_item(1)
    answer = press(owner_client, URL)
    assert (answer.toast, answer.error) == ("No failed download to queue again.", "")


def test_it_needs_a_login(client, configured, failures):
    assert_needs_a_login(client, URL)
    assert set(statuses().values()) == {Status.FAILED}


def test_it_needs_the_csrf_token(csrf_client, failures):
    assert_needs_the_csrf_token(csrf_client, URL)
    assert set(statuses().values()) == {Status.FAILED}
