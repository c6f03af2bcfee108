"""POST /queue/<id>/up and /queue/<id>/down: a waiting item's ↑ and ↓ buttons.

The two are mirror images; each test runs once per direction.
"""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class Direction:
    name: str  # "up" or "down": the URL's last part and the toast's word
    edge: str  # "first" or "last"
    step: int  # -1 towards the front of the queue, +1 towards its end

    def url(self, item_id: int) -> str:
        return f"/queue/{item_id}/{self.name}"

    def moved(self, order: list[int], index: int) -> list[int]:
        """``order`` (episode numbers) after the one at ``index`` moved a place."""
        order = list(order)
        other = index + self.step
        order[index], order[other] = order[other], order[index]
        return order


UP = Direction("up", "first", -1)
DOWN = Direction("down", "last", 1)


@pytest.fixture(params=[UP, DOWN], ids=lambda direction: direction.name)
def direction(request) -> Direction:
    return request.param


def test_it_swaps_an_item_with_its_neighbour(owner_client, waiting, direction):
    index = 2 if direction is UP else 0
    moving = waiting[index]

    answer = press(owner_client, direction.url(moving.id))

    order = direction.moved([0, 1, 2], index)
    assert waiting_order() == [waiting[i].episode.number for i in order]
    assert shown_order(answer) == [f"item-{waiting[i].id}" for i in order]
    assert answer.toast == f"Moved Frieren S01E0{moving.episode.number} {direction.name}."
    # The moved row keeps its button's id, so the focus moves along with it.
    assert answer.queue.find(id=f"item-{moving.id}-{direction.name}") is not None


def test_without_javascript_it_returns_to_the_queue_with_a_message(
    owner_client, waiting, direction
):
    answer = submit(owner_client, direction.url(waiting[1].id))

    assert answer == ("success", f"Moved Frieren S01E02 {direction.name}.")
    assert waiting_order() == direction.moved([1, 2, 3], 1)


def test_the_item_at_the_edge_stays_there(owner_client, waiting, direction):
    edge = waiting[0] if direction is UP else waiting[2]

    answer = press(owner_client, direction.url(edge.id))

    number = edge.episode.number
    assert answer.toast == f"Frieren S01E0{number} is already {direction.edge} of its priority."
    assert waiting_order() == [1, 2, 3]


def test_it_does_not_move_past_an_item_of_another_priority(owner_client, waiting, direction):
    neighbour = waiting[0] if direction is UP else waiting[2]
    priority = Priority.HIGH if direction is UP else Priority.LOW
    DownloadItem.objects.filter(id=neighbour.id).update(priority=priority)

    answer = press(owner_client, direction.url(waiting[1].id))

    assert answer.toast == f"Frieren S01E02 is already {direction.edge} of its priority."
    assert list(DownloadItem.objects.order_by("id").values_list("position", flat=True)) == [1, 2, 3]


@pytest.mark.parametrize("status", [Status.FAILED, Status.DOWNLOADING])
def test_an_item_that_is_not_waiting_cannot_move(
    owner_client, waiting, make_item, direction, status
):
    item = make_item(4, status)
    message = f"Only pending items can be moved; this one is {status.value}."

    assert press(owner_client, direction.url(item.id)).error == message
    assert submit(owner_client, direction.url(item.id)) == ("error", message)
    assert waiting_order() == [1, 2, 3]


def test_an_unknown_item_is_a_clear_error(owner_client, waiting, direction):
    missing = waiting[-1].id + 1
    assert press(owner_client, direction.url(missing)).error == f"No queue item {missing}."
    assert waiting_order() == [1, 2, 3]


def test_it_needs_a_login(client, configured, waiting, direction):
    assert_needs_a_login(client, direction.url(waiting[1].id))
    assert waiting_order() == [1, 2, 3]


def test_it_needs_the_csrf_token(csrf_client, waiting, direction):
    assert_needs_the_csrf_token(csrf_client, direction.url(waiting[1].id))
    assert waiting_order() == [1, 2, 3]
