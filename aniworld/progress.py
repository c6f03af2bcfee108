"""The one progress reporter every long job uses (download, scan, NFO batch).

A job reports ``started`` → ``progress`` … → ``completed`` | ``failed``. Each
report is first persisted by the job's own ``persist`` callback (so a page that
polls, or a client that connects later, sees the same state), then published
as a typed event to a WebSocket room through the channel layer, which carries
it from the worker process to the web process.

Progress reports are throttled (at most one every ``min_interval`` seconds);
the start and the final state are never dropped. Publishing never breaks a
job: a channel-layer failure is logged and the job goes on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypedDict

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

log = logging.getLogger(__name__)

ROOMS = ("downloads", "scan", "nfo", "system")


class Event(TypedDict):
    """The message a client receives (see the WebSocket protocol in DESIGN.md)."""

    type: str
    room: str | None
    timestamp: str
    data: dict[str, Any]


class RoomEvent(TypedDict):
    """What travels through the channel layer to the consumers of a room."""

    type: str  # "room.event": handled by LiveConsumer.room_event
    event: Event


def group_name(room: str) -> str:
    return f"room.{room}"


def event(room: str | None, event_type: str, data: dict[str, Any]) -> Event:
    return {
        "type": event_type,
        "room": room,
        "timestamp": timezone.now().isoformat(),
        "data": data,
    }


def publish(room: str, event_type: str, data: dict[str, Any]) -> None:
    """Send an event to every client in ``room``. Call from synchronous code only.

    Each call runs ``group_send`` on a short-lived event loop (or, in a sync view
    under daphne, on the server's loop). That is safe with both layers: the
    embedded one only reads memberships and writes rows there, and
    channels-redis opens and closes a connection per loop. Background tasks
    (the embedded layer's polling) only start on ``receive``, which the web
    process runs on its own loop.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    message: RoomEvent = {"type": "room.event", "event": event(room, event_type, data)}
    try:
        async_to_sync(layer.group_send)(group_name(room), message)
    except Exception:
        log.warning("could not publish %s to room %s", event_type, room, exc_info=True)


class ProgressReporter:
    """Persists, then publishes, the progress of one job."""

    def __init__(
        self,
        room: str,
        prefix: str,
        persist: Callable[[str, dict[str, Any]], None] | None = None,
        min_interval: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.room = room
        self.prefix = prefix
        self.persist = persist
        self.min_interval = min_interval
        self.clock = clock
        self._last_progress = float("-inf")

    def started(self, **data: Any) -> None:
        self._report("started", data)

    def progress(self, *, force: bool = False, **data: Any) -> bool:
        """Report progress unless one was sent less than ``min_interval`` ago;
        ``force`` for a change a person must see (a new stage), never dropped."""
        now = self.clock()
        if not force and now - self._last_progress < self.min_interval:
            return False
        self._last_progress = now
        self._report("progress", data)
        return True

    def completed(self, **data: Any) -> None:
        self._report("completed", data)

    def failed(self, **data: Any) -> None:
        self._report("failed", data)

    def _report(self, stage: str, data: dict[str, Any]) -> None:
        if self.persist is not None:
            self.persist(stage, data)
        publish(self.room, f"{self.prefix}_{stage}", data)
