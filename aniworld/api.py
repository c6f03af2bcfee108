"""The API's shared pieces: the error contract, the exception handler, pagination.

Every error under ``/api`` and ``/health`` has one shape::

    {"success": false, "error": "NOT_FOUND", "message": "…", "details": {…}, "request_id": "…"}
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from aniworld.errors import AppError
from aniworld.request_origin import client_address

log = logging.getLogger(__name__)

CODES_BY_STATUS = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",
    502: "REMOTE_ERROR",
    503: "SERVICE_UNAVAILABLE",
}

MESSAGES_BY_STATUS = {
    400: "The request could not be understood.",
    401: "Authentication is required.",
    403: "You are not allowed to do this.",
    404: "Not found.",
    405: "This method is not allowed here.",
    413: "The request body is too large.",
    415: "Unsupported media type.",
    429: "Too many requests; slow down.",
    500: "An unexpected error occurred; it has been logged.",
}


def request_id_of(request) -> str:
    return getattr(request, "request_id", "") or "-"


def error_body(
    status: int,
    request,
    *,
    code: str | None = None,
    message: str | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "success": False,
        "error": code or CODES_BY_STATUS.get(status, "ERROR"),
        "message": message or MESSAGES_BY_STATUS.get(status, "The request failed."),
        "details": details or {},
        "request_id": request_id_of(request),
    }


def error_response(status: int, request, **kwargs) -> JsonResponse:
    return JsonResponse(error_body(status, request, **kwargs), status=status)


def _details_of_validation(detail) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {key: _details_of_validation(value) for key, value in detail.items()}
    if isinstance(detail, list):
        flat = [str(item) if not isinstance(item, dict | list) else item for item in detail]
        return flat  # type: ignore[return-value]
    return {"non_field_errors": [str(detail)]}


def exception_handler(exc, context):
    """DRF's exception handler, speaking our error contract."""
    request = context.get("request")
    headers: dict[str, str] = {}
    if isinstance(exc, AppError):
        status, code, message, details = exc.status, exc.code, exc.message, exc.details
    elif isinstance(exc, drf.ValidationError):
        status, code = 422, "VALIDATION_ERROR"
        message = "Some fields are not valid."
        details = _details_of_validation(exc.detail)
        if not isinstance(details, dict):
            details = {"non_field_errors": details}
    elif isinstance(exc, Http404 | drf.NotFound):
        status, code, message, details = 404, "NOT_FOUND", _text(exc) or "Not found.", {}
    elif isinstance(exc, DjangoPermissionDenied):
        status, code, message, details = 403, "FORBIDDEN", MESSAGES_BY_STATUS[403], {}
    elif isinstance(exc, drf.APIException):
        status = exc.status_code
        if isinstance(exc, drf.NotAuthenticated | drf.AuthenticationFailed):
            status = 401
        code = CODES_BY_STATUS.get(status, "ERROR")
        message, details = _text(exc), {}
        if isinstance(exc, drf.Throttled) and exc.wait is not None:
            headers["Retry-After"] = str(int(exc.wait) + 1)
            details = {"retry_after": int(exc.wait) + 1}
        if isinstance(exc, drf.AuthenticationFailed):
            log.warning("auth failure: %s from %s", message, client_address(request))
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
    else:
        return None  # unexpected: the middleware logs it and answers 500
    body = error_body(status, request, code=code, message=message, details=details)
    return Response(body, status=status, headers=headers)


def _text(exc) -> str:
    detail = getattr(exc, "detail", None)
    if isinstance(detail, dict) and isinstance(detail.get("detail"), str):
        return detail["detail"]  # simplejwt nests its message
    if isinstance(detail, str):
        return detail
    if detail is not None and not isinstance(detail, dict | list):
        return str(detail)
    return str(exc) if str(exc) else ""


def validated(serializer_class, request) -> dict[str, Any]:
    """The request body checked by ``serializer_class``; invalid input raises (→ 422)."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


ERROR_SCHEMA = {
    "type": "object",
    "description": "The error contract: every error under /api has this shape.",
    "required": ["success", "error", "message", "details", "request_id"],
    "properties": {
        "success": {"type": "boolean", "enum": [False]},
        "error": {"type": "string", "description": "machine-readable code, e.g. NOT_FOUND"},
        "message": {"type": "string"},
        "details": {"type": "object", "additionalProperties": True},
        "request_id": {"type": "string"},
    },
}


def document_error_responses(result, generator, request, public):
    """drf-spectacular post-processing: every operation may also answer the error
    shape, with any status it does not list (OpenAPI's ``default`` response)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {
        "description": "An error, in the shape of the error contract.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("default", error)
    return result


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
