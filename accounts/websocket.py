"""Authentication for WebSocket connections: the session cookie or ``?token=<access token>``."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.security.websocket import AllowedHostsOriginValidator

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
                scope = {**scope, "user": user}
        return await self.inner(scope, receive, send)


@database_sync_to_async
def _user_for_token(raw: str):
    from accounts.api import user_for_access_token

    return user_for_access_token(raw)


def authenticated_websocket(inner):
    """Origin check, then session auth, then token auth (a valid token wins)."""
    return AllowedHostsOriginValidator(AuthMiddlewareStack(TokenAuthMiddleware(inner)))


def client_of(scope) -> str:
    client = scope.get("client") or ("unknown", 0)
    return str(client[0])
