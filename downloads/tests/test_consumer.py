"""The /ws/connect protocol, through the whole ASGI stack (origin check, auth, routing)."""

import json

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from rest_framework_simplejwt.tokens import RefreshToken

from aniworld.asgi import application
from aniworld.progress import ProgressReporter, publish
from downloads.consumers import MAX_MESSAGE_BYTES, notify_shutdown
from tests.websocket_client import Communicator

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@pytest.fixture(autouse=True)
async def _empty_layer():
    """Groups outlive a test in the in-memory and the Redis layer; start from none."""
    await get_channel_layer().flush()
    yield
    await get_channel_layer().flush()


@database_sync_to_async
def access_token(user) -> str:
    return str(RefreshToken.for_user(user).access_token)


@pytest.fixture
async def ws(configured):
    """A connected client that has read its ``connected`` message."""
    token = await access_token(configured)
    communicator = Communicator(application, f"/ws/connect?token={token}", headers=[ORIGIN])
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["type"] == "connected"
    yield communicator
    await communicator.disconnect()


async def send(ws, action, **data):
    await ws.send_json_to({"action": action, "data": data})
    return await ws.receive_json_from()


async def join(ws, room):
    reply = await send(ws, "join", room=room)
    assert reply["type"] == "joined", reply
    if room == "downloads":
        assert (await ws.receive_json_from())["type"] == "queue_status"
    return reply


async def test_the_connected_message_lists_the_rooms(configured):
    token = await access_token(configured)
    communicator = Communicator(application, f"/ws/connect?token={token}", [ORIGIN])
    await communicator.connect()
    message = await communicator.receive_json_from()
    assert message["type"] == "connected"
    assert message["room"] is None
    assert message["timestamp"]
    assert message["data"]["rooms"] == ["downloads", "scan", "nfo", "system"]
    await communicator.disconnect()


async def test_an_unauthenticated_client_is_closed_with_4401_and_gets_no_events(db):
    communicator = Communicator(application, "/ws/connect", headers=[ORIGIN])
    await communicator.connect()
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4401}


async def test_ping_is_answered_with_pong(ws):
    reply = await send(ws, "ping", nonce=7)
    assert reply["type"] == "pong"
    assert reply["data"] == {"nonce": 7}
    assert set(reply) == {"type", "room", "timestamp", "data"}


async def test_joining_downloads_sends_the_current_queue_status_at_once(ws):
    reply = await send(ws, "join", room="downloads")
    assert reply == {**reply, "type": "joined", "room": "downloads"}
    assert reply["data"]["rooms"] == ["downloads"]
    status = await ws.receive_json_from()
    assert status["type"] == "queue_status"
    assert status["room"] == "downloads"
    assert status["data"]["stats"]["pending"] == 0
    assert set(status["data"]) >= {"is_running", "active", "pending", "completed", "failed"}


async def test_an_event_published_to_a_joined_room_is_relayed(ws):
    await join(ws, "scan")
    await sync_to_async(publish)("scan", "scan_progress", {"done": 3, "total": 9})
    message = await ws.receive_json_from()
    assert message["type"] == "scan_progress"
    assert message["room"] == "scan"
    assert message["data"] == {"done": 3, "total": 9}
    assert message["timestamp"]


async def test_events_of_rooms_not_joined_are_not_relayed(ws):
    await join(ws, "scan")
    await sync_to_async(publish)("nfo", "nfo_progress", {"stage": "started"})
    await sync_to_async(publish)("scan", "scan_completed", {"status": "ok"})
    assert (await ws.receive_json_from())["type"] == "scan_completed"


async def test_a_client_that_left_a_room_gets_no_more_of_its_events(ws):
    await join(ws, "nfo")
    reply = await send(ws, "leave", room="nfo")
    assert reply["type"] == "left"
    assert reply["data"]["rooms"] == []
    await sync_to_async(publish)("nfo", "nfo_progress", {"stage": "progress"})
    assert await ws.receive_nothing(timeout=0.3)


async def test_every_client_in_a_room_gets_the_event(ws, configured):
    token = await access_token(configured)
    other = Communicator(application, f"/ws/connect?token={token}", [ORIGIN])
    await other.connect()
    await other.receive_json_from()
    await join(ws, "downloads")
    await join(other, "downloads")
    await sync_to_async(publish)("downloads", "download_started", {"id": 1})
    assert (await ws.receive_json_from())["data"] == {"id": 1}
    assert (await other.receive_json_from())["data"] == {"id": 1}
    await other.disconnect()


async def test_an_unknown_room_is_answered_with_an_error(ws):
    reply = await send(ws, "join", room="kitchen")
    assert reply["type"] == "error"
    assert reply["data"]["code"] == "UNKNOWN_ROOM"
    assert (await send(ws, "ping"))["type"] == "pong"


async def test_an_unknown_action_is_answered_with_an_error_and_the_socket_stays_open(ws):
    reply = await send(ws, "dance")
    assert reply["type"] == "error"
    assert reply["data"]["code"] == "UNKNOWN_ACTION"
    assert "dance" in reply["data"]["message"]
    assert (await send(ws, "ping"))["type"] == "pong"


@pytest.mark.parametrize(
    "text", ["{not json", "[1, 2]", '"join"', '{"action": "join", "data": [1]}', "{}"]
)
async def test_malformed_messages_are_answered_with_an_error(ws, text):
    await ws.send_to(text_data=text)
    reply = await ws.receive_json_from()
    assert reply["type"] == "error"
    assert reply["data"]["code"] in ("BAD_MESSAGE", "UNKNOWN_ACTION")
    assert (await send(ws, "ping"))["type"] == "pong"


async def test_binary_frames_are_refused_with_an_error(ws):
    await ws.send_to(bytes_data=b"\x00\x01")
    assert (await ws.receive_json_from())["data"]["code"] == "BAD_MESSAGE"


async def test_an_oversize_message_is_refused_and_the_socket_closed_with_1009(ws):
    padding = "x" * MAX_MESSAGE_BYTES
    await ws.send_to(text_data=json.dumps({"action": "ping", "data": {"pad": padding}}))
    reply = await ws.receive_json_from()
    assert reply["type"] == "error"
    assert reply["data"]["code"] == "MESSAGE_TOO_LARGE"
    assert await ws.receive_output() == {"type": "websocket.close", "code": 1009}


async def test_a_message_just_under_the_limit_is_accepted(ws):
    padding = "x" * (MAX_MESSAGE_BYTES - 100)
    assert (await send(ws, "ping", pad=padding))["type"] == "pong"


async def test_progress_is_throttled_but_the_start_and_the_end_always_arrive(ws):
    await join(ws, "downloads")
    now = [100.0]
    reporter = ProgressReporter("downloads", "download", min_interval=0.25, clock=lambda: now[0])

    def run_job():
        reporter.started(id=5)
        for step in range(10):  # ten reports within 0.09 s: only the first goes out
            now[0] += 0.01
            reporter.progress(id=5, percent=step * 10)
        now[0] += 0.3
        reporter.progress(id=5, percent=95)
        reporter.completed(id=5)  # right after a progress report: never throttled

    await sync_to_async(run_job)()
    received = [await ws.receive_json_from() for _ in range(4)]
    assert [(m["type"], m["data"].get("percent")) for m in received] == [
        ("download_started", None),
        ("download_progress", 0),
        ("download_progress", 95),
        ("download_completed", None),
    ]
    assert await ws.receive_nothing(timeout=0.2)


async def test_a_failure_right_after_progress_is_delivered(ws):
    await join(ws, "downloads")
    reporter = ProgressReporter("downloads", "download", clock=lambda: 0.0)

    def run_job():
        reporter.progress(id=6, percent=10)
        reporter.failed(id=6, error="hoster gone")

    await sync_to_async(run_job)()
    assert (await ws.receive_json_from())["type"] == "download_progress"
    failed = await ws.receive_json_from()
    assert failed["type"] == "download_failed"
    assert failed["data"]["error"] == "hoster gone"


async def test_on_shutdown_every_client_is_told_and_closed_with_1001(ws):
    await notify_shutdown()
    message = await ws.receive_json_from()
    assert message["type"] == "server_shutdown"
    assert message["room"] == "system"
    assert await ws.receive_output() == {"type": "websocket.close", "code": 1001}
