"""Fixtures of the accounts tests."""

from __future__ import annotations

import time

import pytest
import time_machine

from accounts.ratelimit import LOGIN_LIMIT


def mid_window() -> float:
    """The middle of the current limit window, or of the next one once that is past:
    requests counted from it on for a few seconds never straddle two windows (each with
    a budget of its own). Never earlier than now: what the test set up before (the
    owner's password change, which revokes tokens issued before it) stays in the past."""
    window = LOGIN_LIMIT.window_seconds
    middle = (time.time() // window + 0.5) * window
    return middle if middle >= time.time() else middle + window


@pytest.fixture
def in_one_window():
    """The clock runs on from the middle of a minute: a test's requests share a window."""
    with time_machine.travel(mid_window(), tick=True):
        yield
