import pytest
from rest_framework.test import APIClient

from conftest import OWNER_PASSWORD

pytestmark = pytest.mark.usefixtures("configured")


def login(client=None, password=OWNER_PASSWORD, **extra):
    client = client or APIClient()
    return client.post("/api/auth/login", {"password": password}, format="json", **extra)


def bearer(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_login_returns_a_token_pair_that_opens_protected_routes():
    response = login()
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "refresh_token", "token_type", "expires_at"}
    assert body["token_type"] == "bearer"
    me = bearer(body["access_token"]).get("/api/auth/status")
    assert me.json() == {"configured": True, "authenticated": True}


def test_a_wrong_password_is_a_401_and_is_logged_with_the_address_but_not_the_password(caplog):
    response = login(password="Wrong-Passw0rd")
    assert response.status_code == 401
    assert response.json()["error"] == "INVALID_CREDENTIALS"
    assert "auth failure" in caplog.text
    assert "127.0.0.1" in caplog.text
    assert "Wrong-Passw0rd" not in caplog.text


def test_the_sixth_login_in_a_minute_is_refused_with_429_and_retry_after(in_one_window):
    client = APIClient()
    for _ in range(5):
        assert login(client, password="Wrong-Passw0rd").status_code == 401
    response = login(client)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61
    assert response.json()["error"] == "RATE_LIMITED"


def test_login_limits_are_per_client_address(in_one_window):
    for _ in range(5):
        login(REMOTE_ADDR="10.0.0.1", password="x")
    assert login(REMOTE_ADDR="10.0.0.2").status_code == 200


def test_refresh_gives_a_new_access_token(worker_cluster):
    tokens = login().json()
    response = APIClient().post(
        "/api/auth/refresh", {"refresh_token": tokens["refresh_token"]}, format="json"
    )
    assert response.status_code == 200
    # The owner's detailed health report (healthy: a worker cluster reports in); others get 401.
    assert bearer(response.json()["access_token"]).get("/health/detailed").status_code == 200


def test_logout_revokes_the_refresh_token():
    tokens = login().json()
    client = bearer(tokens["access_token"])
    assert (
        client.post(
            "/api/auth/logout", {"refresh_token": tokens["refresh_token"]}, format="json"
        ).status_code
        == 200
    )
    refused = APIClient().post(
        "/api/auth/refresh", {"refresh_token": tokens["refresh_token"]}, format="json"
    )
    assert refused.status_code == 401


def test_a_garbage_refresh_token_is_a_401():
    response = APIClient().post("/api/auth/refresh", {"refresh_token": "nope"}, format="json")
    assert response.status_code == 401


def test_changing_the_password_revokes_old_tokens_and_sessions(client, worker_cluster):
    tokens = login().json()
    client.post("/login/", {"password": OWNER_PASSWORD})
    assert client.get("/health/detailed").status_code == 200  # the owner's (healthy) report

    changed = bearer(tokens["access_token"]).post(
        "/api/auth/password",
        {"old_password": OWNER_PASSWORD, "new_password": "Brand-New-Pass-7"},
        format="json",
    )
    assert changed.status_code == 200
    assert bearer(tokens["access_token"]).get("/health/detailed").status_code == 401
    refresh = APIClient().post(
        "/api/auth/refresh", {"refresh_token": tokens["refresh_token"]}, format="json"
    )
    assert refresh.status_code == 401
    assert client.get("/health/detailed").status_code == 401
    assert login(password="Brand-New-Pass-7").status_code == 200
    assert login(password=OWNER_PASSWORD).status_code == 401


def test_a_password_change_needs_the_old_password_and_a_strong_new_one(api):
    wrong_old = api.post(
        "/api/auth/password",
        {"old_password": "Not-The-Pass-1", "new_password": "Brand-New-Pass-7"},
        format="json",
    )
    assert wrong_old.status_code == 422
    assert "old_password" in wrong_old.json()["details"]
    weak = api.post(
        "/api/auth/password",
        {"old_password": OWNER_PASSWORD, "new_password": "weak"},
        format="json",
    )
    assert weak.status_code == 422
    assert "new_password" in weak.json()["details"]


def test_sixty_anonymous_requests_a_minute_then_429_but_the_owner_is_not_limited(
    in_one_window, api
):
    anon = APIClient()
    statuses = [anon.get("/api/auth/status").status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60
    assert statuses[60] == 429
    assert all(api.get("/api/auth/status").status_code == 200 for _ in range(70))
