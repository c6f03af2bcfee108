"""POST /queue/<id>/retry: a failed item's Retry button."""

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


def url(item_id: int) -> str:
    return f"/queue/{item_id}/retry"


@pytest.fixture
def failed(make_item, stopped) -> DownloadItem:
    return make_item(3, Status.FAILED, error="Every hoster failed.", error_code="NO_LINK")


def test_it_queues_a_failed_item_again(owner_client, failed):
    answer = press(owner_client, url(failed.id))

    failed.refresh_from_db()
    assert failed.status == Status.PENDING
    assert (failed.error, failed.error_code, failed.retry_count) == ("", "", 1)
    assert answer.toast == "Queued Frieren S01E03 again."
    assert answer.queue.find(id=f"item-{failed.id}-up") is not None  # now among the waiting


def test_without_javascript_it_returns_to_the_queue_with_a_message(owner_client, failed):
    assert submit(owner_client, url(failed.id)) == ("success", "Queued Frieren S01E03 again.")
    failed.refresh_from_db()
    assert failed.status == Status.PENDING


def test_a_running_item_cannot_be_retried(owner_client, make_item):
    running = make_item(1, Status.DOWNLOADING)
    message = "Only failed items can be retried; this one is downloading."

    assert press(owner_client, url(running.id)).error == message
    assert submit(owner_client, url(running.id)) == ("error", message)
    running.refresh_from_db()
    assert (running.status, running.retry_count) == (Status.DOWNLOADING, 0)


def test_an_episode_queued_again_meanwhile_is_not_queued_twice(owner_client, failed, make_item):
    make_item(3, Status.PENDING)

    answer = press(owner_client, url(failed.id))

    assert answer.error == "This episode is already queued again."
    failed.refresh_from_db()
    assert failed.status == Status.FAILED


def test_an_unknown_item_is_a_clear_error(owner_client, failed):
    assert press(owner_client, url(failed.id + 1)).error == f"No queue item {failed.id + 1}."


def test_it_needs_a_login(client, configured, failed):
    assert_needs_a_login(client, url(failed.id))
    failed.refresh_from_db()
    assert failed.status == Status.FAILED


def test_it_needs_the_csrf_token(csrf_client, failed):
    assert_needs_the_csrf_token(csrf_client, url(failed.id))
    failed.refresh_from_db()
    assert failed.status == Status.FAILED
