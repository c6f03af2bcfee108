"""Channels' in-process WebSocket test client with timeouts for a busy machine.

``channels.testing.WebsocketCommunicator`` waits 1 s by default for a connect, a
message or a close; a join's first answer (the queue status, built from the
database in a thread) can take longer while other tests load both cores. Here
they wait up to ``TIMEOUT`` seconds, which costs nothing when the answer comes
at once. ``receive_nothing`` keeps its short wait: a quiet socket is checked by it.
"""

from __future__ import annotations

from channels.testing import WebsocketCommunicator

TIMEOUT = 10


class Communicator(WebsocketCommunicator):
    async def connect(self, timeout=TIMEOUT):
        return await super().connect(timeout)

    async def receive_from(self, timeout=TIMEOUT):
        return await super().receive_from(timeout)

    async def receive_json_from(self, timeout=TIMEOUT):
        return await super().receive_json_from(timeout)

    async def receive_output(self, timeout=TIMEOUT):
        return await super().receive_output(timeout)

    async def disconnect(self, code=1000, timeout=TIMEOUT):
        return await super().disconnect(code, timeout)
