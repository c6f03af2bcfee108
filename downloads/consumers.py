"""The live stream at /ws/connect (protocol: DESIGN.md, "WebSocket: /ws/connect").

A client sends ``{"action": "join"|"leave"|"ping", "data": {…}}``; every server
message is ``{"type", "room", "timestamp", "data"}``. ``join`` and ``leave`` are
answered with ``joined``/``left`` (the rooms now joined), ``ping`` with ``pong``.
Rooms are channel-layer groups (``aniworld.progress.group_name``), so events
published in the worker process reach every consumer of the web process. A bad
message is answered with an ``error`` message and the socket stays open; only
an oversize one closes it (1009).
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from collections.abc import Awaitable, Callable
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from accounts.websocket import CLOSE_UNAUTHENTICATED, RevocableLogin, client_of
from aniworld.progress import ROOMS, Event, RoomEvent, event, group_name
from downloads.queue import snapshot

log = logging.getLogger("aniworld.ws")

# Client messages are a few dozen bytes; anything this large is a misbehaving client.
MAX_MESSAGE_BYTES = 64 * 1024
CLOSE_GOING_AWAY = 1001
CLOSE_TOO_LARGE = 1009
SHUTDOWN_SECONDS = 3.0

# Every open consumer of this process, for the shutdown notice.
_open_consumers: weakref.WeakSet[LiveConsumer] = weakref.WeakSet()


class LiveConsumer(RevocableLogin, AsyncWebsocketConsumer):
    rooms: set[str]

    async def connect(self) -> None:
        self.rooms = set()
        user = self.scope.get("user")
        await self.accept()
        if user is None or not user.is_authenticated:
            log.warning("auth failure: unauthenticated WebSocket from %s", client_of(self.scope))
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        _open_consumers.add(self)
        await self.watch_login()
        await self.send_event(event(None, "connected", {"rooms": list(ROOMS)}))

    async def disconnect(self, code: int) -> None:
        _open_consumers.discard(self)
        await self.forget_login()
        for room in list(self.rooms):
            await self.leave_room(room)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None:
            await self.send_error("BAD_MESSAGE", "Send JSON text frames, not binary ones.")
            return
        if len(text_data.encode("utf-8")) > MAX_MESSAGE_BYTES:
            await self.send_error(
                "MESSAGE_TOO_LARGE", f"Messages are limited to {MAX_MESSAGE_BYTES} bytes."
            )
            await self.close(code=CLOSE_TOO_LARGE)
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            await self.send_error("BAD_MESSAGE", "The message is not valid JSON.")
            return
        if not isinstance(message, dict) or not isinstance(message.get("data", {}), dict):
            await self.send_error("BAD_MESSAGE", 'Send {"action": "…", "data": {…}}.')
            return
        action = message.get("action")
        handler = self.actions().get(action) if isinstance(action, str) else None
        if handler is None:
            await self.send_error(
                "UNKNOWN_ACTION", f"Unknown action {action!r}; use join, leave or ping."
            )
            return
        await handler(message.get("data") or {})

    def actions(self) -> dict[str, Callable[[dict[str, Any]], Awaitable[None]]]:
        return {"join": self.join, "leave": self.leave, "ping": self.ping}

    # -- actions -----------------------------------------------------------------

    async def join(self, data: dict[str, Any]) -> None:
        room = await self.valid_room(data)
        if room is None:
            return
        if room not in self.rooms:
            await self.channel_layer.group_add(group_name(room), self.channel_name)
            self.rooms.add(room)
        await self.send_event(event(room, "joined", {"rooms": sorted(self.rooms)}))
        if room == "downloads":
            # A page that joins never starts blank: the current queue comes at once.
            status = await database_sync_to_async(snapshot)()
            await self.send_event(event(room, "queue_status", status))

    async def leave(self, data: dict[str, Any]) -> None:
        room = await self.valid_room(data)
        if room is None:
            return
        await self.leave_room(room)
        await self.send_event(event(room, "left", {"rooms": sorted(self.rooms)}))

    async def ping(self, data: dict[str, Any]) -> None:
        await self.send_event(event(None, "pong", data))

    async def valid_room(self, data: dict[str, Any]) -> str | None:
        room = data.get("room")
        if room in ROOMS:
            return room
        await self.send_error("UNKNOWN_ROOM", f"Unknown room {room!r}; rooms: {', '.join(ROOMS)}.")
        return None

    async def leave_room(self, room: str) -> None:
        if room in self.rooms:
            self.rooms.discard(room)
            await self.channel_layer.group_discard(group_name(room), self.channel_name)

    # -- server messages -----------------------------------------------------------

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale database connections before every handler, one
        # hop to its single sync thread each time. Relaying an event touches no
        # database, and with hundreds of clients those hops were most of an
        # event's fan-out time (bench/ws_fanout.py).
        if message["type"] == "room.event":
            await self.room_event(message)  # type: ignore[arg-type]
            return
        await super().dispatch(message)

    async def room_event(self, message: RoomEvent) -> None:
        """A ``room.event`` from the channel layer (``aniworld.progress.publish``)."""
        await self.send_event(message["event"])

    async def send_event(self, message: Event) -> None:
        await self.send(text_data=json.dumps(message))

    async def send_error(self, code: str, text: str) -> None:
        await self.send_event(event(None, "error", {"code": code, "message": text}))

    async def shut_down(self) -> None:
        await self.send_event(event("system", "server_shutdown", {}))
        await self.close(code=CLOSE_GOING_AWAY)


async def notify_shutdown() -> None:
    """Tell every open client of this process that the server stops, and close with 1001."""
    consumers = list(_open_consumers)
    if not consumers:
        return
    log.info("telling %d WebSocket client(s) that the server shuts down", len(consumers))
    tasks = [asyncio.ensure_future(consumer.shut_down()) for consumer in consumers]
    done, late = await asyncio.wait(tasks, timeout=SHUTDOWN_SECONDS)
    for task in late:
        task.cancel()
    failures = [task.exception() for task in done if task.exception() is not None]
    if failures or late:
        log.warning(
            "shutdown notice not sent to %d client(s): %s", len(failures) + len(late), failures
        )
