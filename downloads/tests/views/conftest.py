"""Fixtures for the Queue page's controls: a series, queue items in any status, a
stopped queue, and a logged-in browser session that sends no CSRF token."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from downloads import queue
from downloads.models import DownloadItem, Status
from library.models import Series
from tests import factories


@pytest.fixture
def frieren(db) -> Series:
    series = factories.make_series("frieren", "Frieren", folder="Frieren (2023)")
    factories.make_season(series, 1, range(1, 7))
    return series


@pytest.fixture
def make_item(frieren) -> Callable[..., DownloadItem]:
    """``make_item(number, status, **fields)``: episode ``number`` of Frieren in the
    queue; items are placed in the order they are made."""

    def make(number: int, status: str = Status.PENDING, **fields) -> DownloadItem:
        fields.setdefault("position", number)
        return factories.make_item(frieren.episodes.get(number=number), status=status, **fields)

    return make


@pytest.fixture
def waiting(make_item, stopped) -> list[DownloadItem]:
    """Episodes 1, 2 and 3 waiting, in that order, at normal priority."""
    return [make_item(n) for n in (1, 2, 3)]


@pytest.fixture
def stopped(db) -> None:
    """A stopped queue: nothing a control does wakes the worker."""
    queue.stop()


@pytest.fixture
def csrf_client(configured) -> Client:
    """The owner's browser session, checked for a CSRF token as a real browser's is."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(configured)
    return client
