"""Authentication for WebSocket connections: the session cookie or ``?token=<access token>``.

A browser always sends an ``Origin`` header, and a page of another site must not
open a socket with the owner's cookie, so a sent Origin must be one of ours. A
script sends none and is let through to the credential check like any API client.
An open socket whose login is revoked (password change, database restore) is
closed: consumers mix in ``RevocableLogin``.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import OriginValidator
from django.conf import settings

from accounts import revocation

log = logging.getLogger("aniworld.auth")

# Close code for "not authenticated" (4000-4999 are free for applications).
CLOSE_UNAUTHENTICATED = 4401


class TokenAuthMiddleware:
    """Sets ``scope["user"]`` from a ``token`` query parameter when one is given."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        token = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
        if token:
            user = await _user_for_token(token[0])
            if user is not None:
                scope = {**scope, "user": user, "access_token": token[0]}
        return await self.inner(scope, receive, send)


_user_for_token = database_sync_to_async(revocation.user_for_access_token)


class OriginWhenSentValidator(OriginValidator):
    """Channels' origin check, applied only when the client sends an Origin."""

    async def __call__(self, scope, receive, send):
        if not any(name == b"origin" for name, _ in scope.get("headers", [])):
            return await self.application(scope, receive, send)
        return await super().__call__(scope, receive, send)


def authenticated_websocket(inner):
    """Origin check, then session auth, then token auth (a valid token wins)."""
    # As channels' AllowedHostsOriginValidator: the allowed hosts are the allowed origins.
    allowed_hosts = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed_hosts:
        allowed_hosts = ["localhost", "127.0.0.1", "[::1]"]
    return OriginWhenSentValidator(AuthMiddlewareStack(TokenAuthMiddleware(inner)), allowed_hosts)


def login_still_valid(scope) -> bool:
    """Whether the token or session a socket was opened with is still a login."""
    if scope.get("access_token"):
        return revocation.user_for_access_token(scope["access_token"]) is not None
    session = scope.get("session")
    return revocation.session_is_live(session.session_key if session else None)


class RevocableLogin:
    """A consumer part: call ``watch_login`` once authenticated and ``forget_login`` on
    disconnect; a revocation then closes the socket with 4401 unless its login lives.
    The consumer supplies ``send_error(code, message)`` for the notice before."""

    async def watch_login(self) -> None:
        await self.channel_layer.group_add(revocation.LOGINS_GROUP, self.channel_name)

    async def forget_login(self) -> None:
        await self.channel_layer.group_discard(revocation.LOGINS_GROUP, self.channel_name)

    async def logins_revoked(self, message) -> None:
        if await database_sync_to_async(login_still_valid)(self.scope):
            return
        log.info("closing a WebSocket of %s: its login was revoked", client_of(self.scope))
        await self.send_error("LOGIN_REVOKED", "The login was revoked; log in again.")
        await self.close(code=CLOSE_UNAUTHENTICATED)


def client_of(scope) -> str:
    client = scope.get("client") or ("unknown", 0)
    return str(client[0])
