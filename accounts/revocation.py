"""Revoking every login at once: after a password change or a database restore.

Refresh tokens are blacklisted and sessions deleted, but an access token is
checked by its signature alone, and a restored database no longer knows the
blacklist entries made since its backup. So the time of the last revocation is
kept, and a token issued before it is refused: the ``login_at`` claim (set at
login, copied into every access token refreshed from it), else its ``iat``.
Open WebSockets hear of a revocation through the channel layer and check again.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.sessions.models import Session
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.tokens import Token

from accounts.models import LoginRevocation

log = logging.getLogger("aniworld.auth")

LOGIN_AT_CLAIM = "login_at"
# Channel-layer group of every open WebSocket; a revocation is announced to it.
LOGINS_GROUP = "logins"
REVOKED_MESSAGE = {"type": "logins.revoked"}


def record_now() -> None:
    LoginRevocation.objects.update_or_create(pk=1, defaults={"revoked_at": timezone.now()})


def revoked_at() -> float | None:
    """When logins were last revoked (a Unix time), None when never."""
    revocation = LoginRevocation.objects.filter(pk=1).first()
    return revocation.revoked_at.timestamp() if revocation else None


def issued_before_revocation(token: Token) -> bool:
    revoked = revoked_at()
    if revoked is None:
        return False
    if LOGIN_AT_CLAIM in token.payload:
        return float(token[LOGIN_AT_CLAIM]) < revoked
    # ``iat`` has whole seconds: a token of the revocation's second stays valid.
    return int(token["iat"]) < int(revoked)


def announce() -> None:
    """Tell every open WebSocket (in any process) to check its login again."""
    try:
        async_to_sync(get_channel_layer().group_send)(LOGINS_GROUP, REVOKED_MESSAGE)
    except Exception as exc:  # the revocation itself stands; sockets check at reconnect
        log.warning("could not tell open WebSockets about revoked logins: %s", exc)


def session_is_live(session_key: str | None) -> bool:
    return (
        bool(session_key)
        and Session.objects.filter(session_key=session_key, expire_date__gt=timezone.now()).exists()
    )


class RevocableJWTAuthentication(JWTAuthentication):
    """simplejwt's bearer authentication, refusing tokens issued before a revocation."""

    def get_validated_token(self, raw_token) -> Token:
        token = super().get_validated_token(raw_token)
        if issued_before_revocation(token):
            raise InvalidToken("The token was revoked (password change or database restore).")
        return token


def user_for_access_token(raw: str):
    """The owner for a valid, unrevoked access token, else None (WebSocket ``?token=``)."""
    authentication = RevocableJWTAuthentication()
    try:
        return authentication.get_user(authentication.get_validated_token(raw))
    except (InvalidToken, TokenError, AuthenticationFailed):
        return None
