"""The per-install API key: what the calendar feed and ``X-Api-Key`` check, like Sonarr's.

One key per installation, made on first use, shown on the Settings page and in
``GET /api/config`` (top-level ``api_key``); ``regenerate`` replaces it, and the
old one stops working at once. The key stands for the owner: a request that
carries it is the owner's, for the whole API.
"""

from __future__ import annotations

import hmac
import secrets

from django.db import IntegrityError, transaction
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from accounts import owner
from accounts.models import ApiKey

HEADER = "X-Api-Key"
SINGLETON_ID = 1


def _new_key() -> str:
    return secrets.token_hex(16)  # 32 hex digits, as Sonarr's


def current_key() -> str:
    """The installation's key, made now when there is none yet."""
    row = ApiKey.objects.filter(id=SINGLETON_ID).first()
    if row is not None:
        return row.key
    try:
        with transaction.atomic():
            return ApiKey.objects.create(id=SINGLETON_ID, key=_new_key()).key
    except IntegrityError:  # another process made it first
        return ApiKey.objects.get(id=SINGLETON_ID).key


def regenerate() -> str:
    """A new key; the old one is refused from now on."""
    key = _new_key()
    ApiKey.objects.update_or_create(id=SINGLETON_ID, defaults={"key": key})
    return key


def is_valid(candidate: str) -> bool:
    if not candidate or not owner.is_configured():
        return False
    return hmac.compare_digest(candidate.encode(), current_key().encode())


def key_of(request) -> str:
    return request.headers.get(HEADER, "").strip()


class ApiKeyAuthentication(BaseAuthentication):
    """DRF authentication by the ``X-Api-Key`` header; a wrong key is a 401."""

    def authenticate(self, request):
        candidate = key_of(request)
        if not candidate:
            return None
        if not is_valid(candidate):
            raise AuthenticationFailed("The API key is not valid.")
        return owner.owner_user(), None

    def authenticate_header(self, request) -> str:
        return HEADER
