"""POST /queue/<id>/down: a waiting item's ↓ button."""

from __future__ import annotations

import pytest

from downloads.models import DownloadItem, Priority, Status
from downloads.tests.views.answers import (
    assert_needs_a_login,
    assert_needs_the_csrf_token,
    press,
    shown_order,
    submit,
    waiting_order,
)

pytestmark = pytest.mark.django_db


def url(item_id: int) -> str:
    return f"/queue/{item_id}/down"


def test_it_swaps_an_item_with_the_one_after_it(owner_client, waiting):
    first, second, third = waiting

    answer = press(owner_client, url(first.id))

    assert waiting_order() == [2, 1, 3]
    assert shown_order(answer) == [f"item-{i.id}" for i in (second, first, third)]
    assert answer.toast == "Moved Frieren S01E01 down."
    assert answer.queue.find(id=f"item-{first.id}-down") is not None


def test_without_javascript_it_returns_to_the_queue_with_a_message(owner_client, waiting):
    assert submit(owner_client, url(waiting[1].id)) == ("success", "Moved Frieren S01E02 down.")
    assert waiting_order() == [1, 3, 2]


def test_the_last_item_stays_last(owner_client, waiting):
    answer = press(owner_client, url(waiting[2].id))

    assert answer.toast == "Frieren S01E03 is already last of its priority."
    assert waiting_order() == [1, 2, 3]


def test_it_does_not_move_past_an_item_of_lower_priority(owner_client, waiting):
    DownloadItem.objects.filter(id=waiting[2].id).update(priority=Priority.LOW)

    answer = press(owner_client, url(waiting[1].id))

    assert answer.toast == "Frieren S01E02 is already last of its priority."
    assert list(DownloadItem.objects.order_by("id").values_list("position", flat=True)) == [1, 2, 3]


def test_an_item_that_is_not_waiting_cannot_move(owner_client, waiting, make_item):
    running = make_item(4, Status.DOWNLOADING)
    message = "Only pending items can be moved; this one is downloading."

    assert press(owner_client, url(running.id)).error == message
    assert submit(owner_client, url(running.id)) == ("error", message)
    assert waiting_order() == [1, 2, 3]


def test_an_unknown_item_is_a_clear_error(owner_client, waiting):
    missing = waiting[-1].id + 1
    assert press(owner_client, url(missing)).error == f"No queue item {missing}."


def test_it_needs_a_login(client, configured, waiting):
    assert_needs_a_login(client, url(waiting[0].id))
    assert waiting_order() == [1, 2, 3]


def test_it_needs_the_csrf_token(csrf_client, waiting):
    assert_needs_the_csrf_token(csrf_client, url(waiting[0].id))
    assert waiting_order() == [1, 2, 3]
