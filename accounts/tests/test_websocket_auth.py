import pytest
from channels.db import database_sync_to_async
from rest_framework_simplejwt.tokens import RefreshToken

from aniworld.asgi import application
from tests.websocket_client import Communicator

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@database_sync_to_async
def access_token(user) -> str:
    return str(RefreshToken.for_user(user).access_token)


async def connect(path="/ws/connect", headers=None):
    communicator = Communicator(application, path, headers=[ORIGIN, *(headers or [])])
    connected, _ = await communicator.connect()
    return communicator, connected


async def test_a_valid_token_is_accepted(configured):
    token = await access_token(configured)
    communicator, connected = await connect(f"/ws/connect?token={token}")
    assert connected
    message = await communicator.receive_json_from()
    assert message["type"] == "connected"
    await communicator.disconnect()


async def test_a_session_cookie_is_accepted(configured, async_client):
    await async_client.aforce_login(configured)
    cookie = f"sessionid={async_client.cookies['sessionid'].value}".encode()
    communicator, connected = await connect(headers=[(b"cookie", cookie)])
    assert connected
    assert (await communicator.receive_json_from())["type"] == "connected"
    await communicator.disconnect()


@pytest.mark.parametrize("query", ["", "?token=garbage"])
async def test_anything_else_is_closed_with_4401(configured, query):
    communicator, connected = await connect(f"/ws/connect{query}")
    assert connected
    closed = await communicator.receive_output()
    assert closed == {"type": "websocket.close", "code": 4401}


async def test_a_foreign_origin_is_refused(configured):
    token = await access_token(configured)
    communicator = Communicator(
        application, f"/ws/connect?token={token}", headers=[(b"origin", b"https://evil.example")]
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_a_client_without_an_origin_header_is_let_through_to_the_token_check(configured):
    token = await access_token(configured)
    communicator = Communicator(application, f"/ws/connect?token={token}")
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["type"] == "connected"
    await communicator.disconnect()


async def test_a_client_without_an_origin_header_still_needs_a_credential(configured):
    communicator = Communicator(application, "/ws/connect")
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_output() == {"type": "websocket.close", "code": 4401}
