"""Unknown API routes are 404s in the error shape, set up or not; /api/ is the API's root."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

UNKNOWN = ["/api/nope", "/api/anime/dark/seasons/x", "/api/auth/nope", "/api/config/nope/deeper"]


def assert_not_found(response):
    assert response.status_code == 404
    body = response.json()
    assert body["success"] is False
    assert body["error"] == "NOT_FOUND"
    assert body["request_id"] == response["X-Request-ID"]


@pytest.mark.parametrize("path", UNKNOWN)
def test_an_unknown_api_route_is_a_404_before_setup(path):
    assert_not_found(APIClient().get(path))


@pytest.mark.parametrize("path", UNKNOWN)
def test_an_unknown_api_route_is_a_404_after_setup_with_or_without_a_login(path, api):
    assert_not_found(api.get(path))
    assert_not_found(APIClient().get(path))


def test_a_known_api_route_still_asks_for_setup_first():
    response = APIClient().get("/api/anime/")
    assert response.status_code == 409
    assert response.json()["error"] == "SETUP_REQUIRED"


def test_the_api_root_lists_where_each_part_of_the_api_starts(api):
    response = api.get("/api/")
    assert response.status_code == 200
    body = response.json()
    assert body["anime"].endswith("/api/anime/")
    assert body["queue"].endswith("/api/queue/status")
    assert body["schema"].endswith("/api/schema/")


def test_the_api_root_is_browsable(owner_client):
    response = owner_client.get("/api/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"Api Root" in response.content


def test_the_api_root_needs_a_login(configured):
    assert APIClient().get("/api/").status_code == 401
