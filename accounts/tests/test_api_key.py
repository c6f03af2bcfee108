"""The per-install API key: in GET /api/config, renewable, and X-Api-Key for the whole API."""

import pytest
from rest_framework.test import APIClient

from accounts import api_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def keyed(configured):
    """A client that sends only the API key."""
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=api_key.current_key())
    return client


def test_the_config_shows_the_key_at_the_top(api):
    body = api.get("/api/config").json()

    assert body["api_key"] == api_key.current_key()
    assert len(body["api_key"]) == 32
    assert int(body["api_key"], 16) >= 0  # hex digits


def test_the_key_stays_the_same_until_renewed(api):
    first = api.get("/api/config").json()["api_key"]

    assert api.get("/api/config").json()["api_key"] == first


def test_posting_makes_a_new_key_and_the_old_one_stops_working(api, keyed):
    old = api_key.current_key()

    response = api.post("/api/config/api-key")

    assert response.status_code == 200
    new = response.json()["api_key"]
    assert new != old
    assert api.get("/api/config").json()["api_key"] == new
    assert keyed.get("/api/queue/status").status_code == 401


def test_the_key_is_read_only_in_the_config(api):
    current = api.get("/api/config").json()

    same = api.patch(
        "/api/config", {"api_key": current["api_key"], "logging": {"level": "DEBUG"}}, format="json"
    )
    assert same.status_code == 200
    assert same.json()["api_key"] == current["api_key"]

    other = api.patch("/api/config", {"api_key": "f" * 32}, format="json")
    assert other.status_code == 422
    assert other.json()["details"] == {"api_key": ["read-only"]}
    assert api_key.current_key() == current["api_key"]


@pytest.mark.parametrize(
    "path", ["/api/queue/status", "/api/anime/", "/api/config", "/api/calendar"]
)
def test_the_key_works_on_the_whole_api(keyed, library_root, path):
    assert keyed.get(path).status_code == 200


def test_the_key_may_change_things_too(keyed):
    response = keyed.post("/api/config/api-key")

    assert response.status_code == 200


def test_a_wrong_key_is_a_401_in_the_error_shape(configured):
    client = APIClient()
    client.credentials(HTTP_X_API_KEY="0" * 32)

    response = client.get("/api/queue/status")

    assert response.status_code == 401
    body = response.json()
    assert (body["success"], body["error"]) == (False, "UNAUTHORIZED")
    assert "API key" in body["message"]
    assert response["X-Request-ID"]


def test_no_key_works_before_setup(db):
    key = api_key.current_key()
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=key)

    assert client.get("/api/queue/status").status_code == 409


def test_the_key_does_not_open_pages(configured):
    client = APIClient()
    client.credentials(HTTP_X_API_KEY=api_key.current_key())

    response = client.get("/library/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_browsers_on_allowed_origins_may_send_the_key(client, configured):
    response = client.options(
        "/api/queue/status",
        HTTP_ORIGIN="http://localhost:3000",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="x-api-key",
    )

    assert "x-api-key" in response["Access-Control-Allow-Headers"]
