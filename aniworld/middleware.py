"""Request ids on every response, and the JSON error contract outside DRF views."""

from __future__ import annotations

import json
import logging
import re
import uuid

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

from aniworld.api import error_response
from aniworld.errors import AppError
from aniworld.logs import request_id_var

log = logging.getLogger("aniworld.requests")

SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
JSON_PREFIXES = ("/api/", "/health")


def wants_json_errors(request: HttpRequest) -> bool:
    return request.path.startswith(JSON_PREFIXES) or request.path == "/api"


class RequestIdMiddleware:
    """Gives each request an id (an incoming sane ``X-Request-ID`` is kept)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if SANE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class ApiErrorMiddleware:
    """Under /api and /health any error becomes the JSON error shape, never HTML or a
    traceback; on pages our typed errors become an error page with their status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = _refused_body(request) if wants_json_errors(request) else None
        if refused is not None:
            return refused
        response = self.get_response(request)
        if wants_json_errors(request) and response.status_code >= 400 and not _is_json(response):
            return self._as_json(request, response)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not wants_json_errors(request):
            return self._page_for(request, exception)
        if isinstance(exception, AppError):
            return error_response(
                exception.status,
                request,
                code=exception.code,
                message=exception.message,
                details=exception.details,
            )
        client_error = _client_error(exception)
        if client_error is not None:
            status, message = client_error
            log.warning("%s on %s %s: %s", status, request.method, request.path, exception)
            return error_response(status, request, message=message)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, request)

    @staticmethod
    def _page_for(request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Our typed errors on a page: the message, with the right status, not a 500."""
        if not isinstance(exception, AppError):
            return None
        template = "errors/404.html" if exception.status == 404 else "errors/error.html"
        return render(request, template, {"message": exception.message}, status=exception.status)

    @staticmethod
    def _as_json(request, response: HttpResponse) -> HttpResponse:
        converted = error_response(response.status_code, request)
        for header in ("Allow", "Retry-After", "WWW-Authenticate", "Location"):
            if header in response:
                converted[header] = response[header]
        return converted


def _refused_body(request: HttpRequest) -> HttpResponse | None:
    """A body no API view should see: larger than allowed (DRF's parsers read the
    raw stream, past Django's own size check), or declared JSON but malformed
    (refused on every route, also on those that ignore their body)."""
    length = _declared_length(request)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and length > limit:
        return error_response(
            413,
            request,
            message=f"The request body is larger than {limit} bytes.",
            details={"max_bytes": limit},
        )
    if length and (
        request.content_type == "application/json" or request.content_type.endswith("+json")
    ):
        try:
            json.loads(request.body)
        except ValueError as exc:
            return error_response(400, request, message=f"JSON parse error - {exc}")
    return None


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _client_error(exception: Exception) -> tuple[int, str] | None:
    """Django's own request errors (a body too big, too many fields, a garbled
    multipart body) are the client's fault: 400/413, never a 500."""
    if isinstance(exception, RequestDataTooBig):
        return 413, f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return 400, "The request has too many fields."
    if isinstance(exception, SuspiciousOperation | BadRequest | MultiPartParserError):
        return 400, "The request could not be understood."
    return None


def _is_json(response: HttpResponse) -> bool:
    content_type = response.get("Content-Type", "")
    if "json" not in content_type:
        return False
    if getattr(response, "streaming", False):
        return True
    try:
        json.loads(response.content or b"null")
    except ValueError:
        return False
    return True
