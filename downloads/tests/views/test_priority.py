"""POST /queue/<id>/priority: a waiting item's priority control (sent on change; a Set
button without JavaScript)."""

from __future__ import annotations

import pytest

from downloads.models import DownloadItem, Priority, Status
from downloads.tests.views.answers import (
    assert_needs_a_login,
    assert_needs_the_csrf_token,
    press,
    submit,
    waiting_order,
)

pytestmark = pytest.mark.django_db


def url(item_id: int) -> str:
    return f"/queue/{item_id}/priority"


def priority(item: DownloadItem) -> int:
    item.refresh_from_db()
    return item.priority


def test_choosing_a_priority_sets_it(owner_client, waiting):
    item = waiting[1]

    answer = press(owner_client, url(item.id), {"priority": "high"})

    assert priority(item) == Priority.HIGH
    assert waiting_order() == [2, 1, 3]
    select = answer.queue.find(id=f"item-{item.id}-priority")
    assert select.find(selected=True).text == "high"
    assert answer.toast == "Frieren S01E02 now has high priority."


def test_without_javascript_it_returns_to_the_queue_with_a_message(owner_client, waiting):
    item = waiting[0]
    message = "Frieren S01E01 now has low priority."
    assert submit(owner_client, url(item.id), {"priority": "low"}) == ("success", message)
    assert priority(item) == Priority.LOW


@pytest.mark.parametrize("value", ["urgent", "", "0"])
def test_an_unknown_priority_is_a_clear_error(owner_client, waiting, value):
    item = waiting[0]
    message = f"Unknown priority {value!r}: choose high, normal, low."

    assert press(owner_client, url(item.id), {"priority": value}).error == message
    assert submit(owner_client, url(item.id), {"priority": value}) == ("error", message)
    assert priority(item) == Priority.NORMAL


def test_only_a_waiting_item_changes_priority(owner_client, make_item, stopped):
    running = make_item(1, Status.DOWNLOADING)

    answer = press(owner_client, url(running.id), {"priority": "high"})

    assert answer.error == "Only pending items can change priority."
    assert priority(running) == Priority.NORMAL


def test_an_unknown_item_is_a_clear_error(owner_client, waiting):
    missing = waiting[-1].id + 1
    answer = press(owner_client, url(missing), {"priority": "high"})
    assert answer.error == f"No queue item {missing}."


def test_it_needs_a_login(client, configured, waiting):
    assert_needs_a_login(client, url(waiting[0].id), {"priority": "high"})
    assert priority(waiting[0]) == Priority.NORMAL


def test_it_needs_the_csrf_token(csrf_client, waiting):
    assert_needs_the_csrf_token(csrf_client, url(waiting[0].id), {"priority": "high"})
    assert priority(waiting[0]) == Priority.NORMAL
