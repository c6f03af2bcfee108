"""POST /queue/start: the Queue page's Start button."""

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
URL = "/queue/start"


def test_it_starts_the_queue_and_answers_with_the_queue(owner_client, stopped):
    answer = press(owner_client, URL)

    assert QueueState.get().is_running
    assert answer.toast == "The queue is running."
    assert answer.error == ""
    # The Stop button takes Start's place, and its id, so the focus stays on it.
    button = answer.queue.find(id="queue-run")
    assert button.get_text(strip=True) == "Stop"
    assert button["hx-post"] == button["formaction"] == "/queue/stop"


def test_without_javascript_it_returns_to_the_queue_with_a_message(owner_client, stopped):
    assert submit(owner_client, URL) == ("success", "The queue is running.")
    assert QueueState.get().is_running


def test_a_running_queue_stays_running(owner_client):
    assert QueueState.get().is_running
    assert press(owner_client, URL).toast == "The queue is running."
    assert QueueState.get().is_running


def test_it_needs_a_login(client, configured, stopped):
    assert_needs_a_login(client, URL)
    assert not QueueState.get().is_running


def test_it_needs_the_csrf_token(csrf_client, stopped):
    assert_needs_the_csrf_token(csrf_client, URL)
    assert not QueueState.get().is_running


def test_a_get_changes_nothing(owner_client, stopped):
    assert owner_client.get(URL).status_code == 405
    assert not QueueState.get().is_running
