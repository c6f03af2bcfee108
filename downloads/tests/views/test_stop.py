"""POST /queue/stop: the Queue page's Stop button."""

from __future__ import annotations

import pytest

from downloads.models import QueueState
from downloads.tests.views.answers import (
    assert_needs_a_login,
    assert_needs_the_csrf_token,
    press,
    submit,
)

pytestmark = pytest.mark.django_db
URL = "/queue/stop"
STOPPED = "The queue is stopped; an active download goes back to waiting."


def test_it_stops_the_queue_and_answers_with_the_queue(owner_client):
    answer = press(owner_client, URL)

    assert not QueueState.get().is_running
    assert answer.toast == STOPPED
    button = answer.queue.find(id="queue-run")
    assert button.get_text(strip=True) == "Start"
    assert button["hx-post"] == button["formaction"] == "/queue/start"


def test_without_javascript_it_returns_to_the_queue_with_a_message(owner_client):
    assert submit(owner_client, URL) == ("success", STOPPED)
    assert not QueueState.get().is_running


def test_a_stopped_queue_stays_stopped(owner_client, stopped):
    assert press(owner_client, URL).error == ""
    assert not QueueState.get().is_running


def test_it_needs_a_login(client, configured):
    assert_needs_a_login(client, URL)
    assert QueueState.get().is_running


def test_it_needs_the_csrf_token(csrf_client):
    assert_needs_the_csrf_token(csrf_client, URL)
    assert QueueState.get().is_running
