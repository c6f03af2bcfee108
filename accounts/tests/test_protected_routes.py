"""Every /api route refuses anonymous callers, except the public ones.

The routes are enumerated from the URL configuration, so a new route is
covered the day it is added.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

pytestmark = pytest.mark.usefixtures("configured")

PUBLIC = {"/api/auth/status", "/api/auth/setup", "/api/auth/login", "/api/auth/refresh"}
SAMPLE_VALUES = {"int": "1", "str": "some-key", "slug": "some-key", "path": "x/y", "uuid": "0" * 32}


def concrete(route: str) -> str:
    route = re.sub(
        r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_VALUES.get(m.group(1) or "str", "x"), route
    )
    return "/" + route.lstrip("^").rstrip("$").replace("\\", "")


def all_routes(patterns=None, prefix=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from all_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


API_ROUTES = sorted({concrete(r) for r in all_routes() if concrete(r).startswith("/api/")})


def test_the_enumeration_finds_the_api():
    assert "/api/auth/logout" in API_ROUTES
    assert "/api/schema/" in API_ROUTES


@pytest.mark.parametrize("route", [r for r in API_ROUTES if r not in PUBLIC])
@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_anonymous_calls_are_refused_with_401(route, method):
    response = getattr(APIClient(), method)(route, {}, format="json")
    if response.status_code == 405:
        return  # the route does not take this method at all
    assert response.status_code == 401, f"{method.upper()} {route} answered {response.status_code}"
    assert response.json()["error"] == "UNAUTHORIZED"


@pytest.mark.parametrize("route", sorted(PUBLIC))
def test_public_routes_answer_without_login(route):
    response = APIClient().post(route, {}, format="json") if route != "/api/auth/status" else None
    if response is None:
        response = APIClient().get(route)
    assert response.status_code != 401


def test_an_invalid_bearer_token_is_a_401(caplog):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    response = client.post("/api/auth/logout", {}, format="json")
    assert response.status_code == 401
    assert response.json()["message"] == "Given token not valid for any token type"
    assert "auth failure" in caplog.text
