"""Fixtures of the accounts tests."""

from __future__ import annotations

import time

import pytest
import time_machine

from accounts.ratelimit import LOGIN_LIMIT


def mid_window() -> float:
    """A moment in the middle of the current minute: requests counted from it on for
    a few seconds never straddle two limit windows (each with a budget of its own)."""
    return (time.time() // LOGIN_LIMIT.window_seconds + 0.5) * LOGIN_LIMIT.window_seconds


@pytest.fixture
def in_one_window():
    """The clock runs on from the middle of a minute: a test's requests share a window."""
    with time_machine.travel(mid_window(), tick=True):
        yield
