import logging

import pytest

pytestmark = [pytest.mark.urls("aniworld.tests.error_urls"), pytest.mark.usefixtures("configured")]


def assert_error_shape(response, status, code):
    assert response.status_code == status
    body = response.json()
    assert body["success"] is False
    assert body["error"] == code
    assert isinstance(body["message"], str)
    assert body["message"]
    assert isinstance(body["details"], dict)
    assert body["request_id"] == response["X-Request-ID"]
    return body


def test_an_unknown_api_route_is_a_json_404(client):
    assert_error_shape(client.get("/api/does-not-exist"), 404, "NOT_FOUND")


def test_a_wrong_method_is_a_json_405_with_allow(client):
    response = client.post("/health")
    assert_error_shape(response, 405, "METHOD_NOT_ALLOWED")
    assert response["Allow"] == "GET"


def test_invalid_fields_are_a_422_listing_each_field(client):
    response = client.post("/api/test/validating", {"season": -1}, content_type="application/json")
    body = assert_error_shape(response, 422, "VALIDATION_ERROR")
    assert "season" in body["details"]


def test_malformed_json_is_a_400(client):
    response = client.post("/api/test/validating", "{oops", content_type="application/json")
    assert_error_shape(response, 400, "BAD_REQUEST")


def test_our_typed_errors_keep_their_status_code_and_details(client):
    body = assert_error_shape(client.get("/api/test/conflicting"), 409, "CONFLICT")
    assert body["details"] == {"key": "x"}
    assert body["message"] == "Already there."


@pytest.mark.parametrize("url", ["/api/test/crashing", "/api/test/plain-crashing"])
def test_an_unhandled_exception_is_a_500_without_a_traceback_and_is_logged(client, url, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR):
        response = client.get(url, HTTP_X_REQUEST_ID="req-42")
    body = assert_error_shape(response, 500, "INTERNAL_ERROR")
    assert body["request_id"] == "req-42"
    assert "internals" not in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert any("internals" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_every_response_carries_a_request_id(client):
    response = client.get("/health")
    assert len(response["X-Request-ID"]) == 32


def test_a_sane_incoming_request_id_is_kept_and_an_insane_one_replaced(client):
    assert client.get("/health", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    replaced = client.get("/health", HTTP_X_REQUEST_ID="<script>" * 20)["X-Request-ID"]
    assert replaced != "<script>" * 20
    assert len(replaced) == 32
