"""Typed errors shared by every app.

An ``AppError`` carries what the API error contract needs: a machine-readable
code, an HTTP status, a message for a person and optional details. Views raise
them; ``aniworld.api_errors`` turns them into the JSON error shape.

``RemoteError`` and its subclasses describe failures of remote sites (index,
hosters, TMDB). ``retryable`` says whether trying again later can help.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status = 500
    code = "INTERNAL_ERROR"

    def __init__(
        self,
        message: str,
        details: dict[str, Any] | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class BadRequest(AppError):
    status = 400
    code = "BAD_REQUEST"


class NotFound(AppError):
    status = 404
    code = "NOT_FOUND"


class Conflict(AppError):
    status = 409
    code = "CONFLICT"


class ValidationFailed(AppError):
    """Input that parsed but is not acceptable; ``details`` maps field → messages."""

    status = 422
    code = "VALIDATION_ERROR"


class InsufficientStorage(AppError):
    status = 507
    code = "INSUFFICIENT_STORAGE"


class RemoteError(AppError):
    """A remote site failed. ``retryable`` is True when a later try may succeed."""

    status = 502
    code = "REMOTE_ERROR"
    retryable = False

    def __init__(self, message: str, *, url: str = "", retryable: bool | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.url = url
        if retryable is not None:
            self.retryable = retryable


class RemoteUnavailable(RemoteError):
    """Network failure, timeout or 5xx that outlived our retries."""

    code = "REMOTE_UNAVAILABLE"
    retryable = True


class RemoteStatusError(RemoteError):
    """The remote answered with an error status we do not retry (4xx)."""

    code = "REMOTE_STATUS"

    def __init__(self, message: str, *, status_code: int, **kwargs):
        kwargs.setdefault("retryable", status_code == 429 or status_code >= 500)
        super().__init__(message, **kwargs)
        self.status_code = status_code


class ChallengeError(RemoteError):
    """The site answered with a bot check (Cloudflare, DDoS-Guard, Turnstile)."""

    code = "BOT_CHALLENGE"
    status = 503
    retryable = True
