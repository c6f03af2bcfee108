"""Where a request comes from, for the rate limits and the logs."""

from __future__ import annotations

from django.conf import settings


def client_address(request) -> str:
    """The client's address; behind a trusted proxy, the one it reports."""
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "unknown")
