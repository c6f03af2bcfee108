"""Revoking every login: a database restore revives none, a password change closes sockets."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.db import connection
from rest_framework.test import APIClient

from accounts import api_key, owner, revocation
from aniworld.asgi import application
from conftest import OWNER_PASSWORD
from system import backups
from tests.websocket_client import Communicator

NEW_PASSWORD = "Another-Horse-7"
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="a database restore needs SQLite"
)


def login(password=OWNER_PASSWORD) -> dict:
    response = APIClient().post("/api/auth/login", {"password": password}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def opens_protected_routes(tokens: dict) -> bool:
    return bearer(tokens["access_token"]).get("/api/anime/").status_code == 200


def refreshes(tokens: dict) -> bool:
    response = APIClient().post(
        "/api/auth/refresh", {"refresh_token": tokens["refresh_token"]}, format="json"
    )
    return response.status_code == 200


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_restoring_a_database_backup_revives_no_revoked_token_and_revokes_every_login(
    configured, client, settings, tmp_path
):
    settings.BACKUP_DIR = tmp_path / "backups"
    before_change = login()
    key_in_backup = api_key.current_key()
    name = backups.create_backup().name
    owner.set_master_password(NEW_PASSWORD)
    assert not refreshes(before_change)
    current = login(NEW_PASSWORD)
    client.force_login(owner.owner_user())
    assert client.get("/api/anime/").status_code == 200

    backups.restore_backup(name, with_database=True)

    assert not refreshes(before_change)
    assert not opens_protected_routes(before_change)
    assert not refreshes(current)
    assert not opens_protected_routes(current)
    assert client.get("/api/anime/").status_code == 401
    assert opens_protected_routes(login(NEW_PASSWORD))
    # The key restored with the database is not the one that opens the API now.
    assert APIClient().get("/api/anime/", HTTP_X_API_KEY=key_in_backup).status_code == 401
    assert api_key.current_key() != key_in_backup


def test_a_refreshed_access_token_is_revoked_with_the_login_it_came_from(configured):
    tokens = login()
    refreshed = APIClient().post(
        "/api/auth/refresh", {"refresh_token": tokens["refresh_token"]}, format="json"
    )
    owner.revoke_all_logins()
    assert not opens_protected_routes({"access_token": refreshed.json()["access_token"]})
    assert opens_protected_routes(login())


def test_a_login_right_after_a_revocation_works(configured):
    owner.revoke_all_logins()
    tokens = login()
    assert opens_protected_routes(tokens)
    assert refreshes(tokens)


ORIGIN = (b"origin", b"http://127.0.0.1:8000")


async def open_socket(path: str, headers=()) -> Communicator:
    communicator = Communicator(application, path, headers=[ORIGIN, *headers])
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["type"] == "connected"
    return communicator


@pytest.mark.django_db(transaction=True)
async def test_a_password_change_closes_the_websockets_of_old_logins_only(configured, async_client):
    old_token = (await sync_to_async(login)())["access_token"]
    by_token = await open_socket(f"/ws/connect?token={old_token}")
    await async_client.aforce_login(configured)
    cookie = f"sessionid={async_client.cookies['sessionid'].value}".encode()
    by_session = await open_socket("/ws/connect", headers=[(b"cookie", cookie)])

    await database_sync_to_async(owner.set_master_password)(NEW_PASSWORD)
    new_token = (await sync_to_async(login)(NEW_PASSWORD))["access_token"]
    by_new_token = await open_socket(f"/ws/connect?token={new_token}")
    # Another announcement (as from a revocation elsewhere) finds this login valid.
    await sync_to_async(revocation.announce)()

    for communicator in (by_token, by_session):
        revoked = await communicator.receive_json_from(timeout=5)
        assert revoked["type"] == "error"
        assert revoked["data"]["code"] == "LOGIN_REVOKED"
        assert await communicator.receive_output(timeout=5) == {
            "type": "websocket.close",
            "code": 4401,
        }
    assert await by_new_token.receive_nothing(timeout=0.5)
    await by_new_token.send_json_to({"action": "ping", "data": {}})
    assert (await by_new_token.receive_json_from(timeout=5))["type"] == "pong"
    await by_new_token.disconnect()
