"""POST /queue/<id>/cancel: Cancel (the active download), Remove (a waiting one) and
Dismiss (a failed or finished one)."""

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
    return f"/queue/{item_id}/cancel"


@pytest.mark.parametrize("status", [Status.PENDING, Status.DOWNLOADING, Status.FAILED])
def test_it_cancels_an_item_that_has_not_completed(owner_client, stopped, make_item, status):
    item = make_item(2, status)

    answer = press(owner_client, url(item.id))

    item.refresh_from_db()
    assert item.status == Status.CANCELLED
    assert item.completed_at is not None
    assert answer.toast == "Cancelled Frieren S01E02."
    assert answer.queue.find(id=f"item-{item.id}-cancel") is None


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.CANCELLED])
def test_it_removes_a_finished_item_from_the_list(owner_client, stopped, make_item, status):
    item = make_item(4, status)

    answer = press(owner_client, url(item.id))

    assert not DownloadItem.objects.filter(id=item.id).exists()
    assert answer.toast == "Removed Frieren S01E04."
    assert answer.queue.find(id=f"item-{item.id}") is None


def test_without_javascript_it_returns_to_the_queue_with_a_message(
    owner_client, stopped, make_item
):
    item = make_item(1)
    assert submit(owner_client, url(item.id)) == ("success", "Cancelled Frieren S01E01.")
    item.refresh_from_db()
    assert item.status == Status.CANCELLED


def test_an_unknown_item_is_a_clear_error(owner_client, stopped, make_item):
    other = make_item(1)

    answer = press(owner_client, url(other.id + 1))

    assert answer.error == f"No queue item {other.id + 1}."
    assert answer.toast == ""
    other.refresh_from_db()
    assert other.status == Status.PENDING
    assert submit(owner_client, url(other.id + 1)) == ("error", f"No queue item {other.id + 1}.")


def test_an_id_that_is_not_a_number_is_not_found(owner_client):
    assert owner_client.post("/queue/first/cancel").status_code == 404


def test_it_needs_a_login(client, configured, make_item):
    item = make_item(1)
    assert_needs_a_login(client, url(item.id))
    item.refresh_from_db()
    assert item.status == Status.PENDING


def test_it_needs_the_csrf_token(csrf_client, make_item):
    item = make_item(1)
    assert_needs_the_csrf_token(csrf_client, url(item.id))
    item.refresh_from_db()
    assert item.status == Status.PENDING
