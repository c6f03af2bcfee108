"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

import asyncio
import os
import sys

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aniworld.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from daphne.ws_protocol import WebSocketProtocol  # noqa: E402
from twisted.internet.defer import Deferred  # noqa: E402

from accounts.websocket import authenticated_websocket  # noqa: E402
from aniworld.routing import websocket_urlpatterns  # noqa: E402
from downloads.consumers import CLOSE_GOING_AWAY, CLOSE_TOO_LARGE, notify_shutdown  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": authenticated_websocket(URLRouter(websocket_urlpatterns)),
    }
)


def _prepare_daphne() -> None:
    """Two things daphne needs for our WebSocket protocol (when daphne runs us).

    Close codes: autobahn's ``sendClose`` takes only 1000 and 3000-4999 (the
    codes meant for applications), so daphne turns an ASGI close with 1001
    (going away) or 1009 (too big) into an exception. RFC 6455 gives servers
    exactly those two; they go out as a plain close frame instead.

    Shutdown: daphne speaks no ASGI lifespan. Its Twisted reactor handles
    SIGTERM by firing the "before shutdown" triggers (daphne's own cancels every
    application instance) and drops the connections "during shutdown". Ours
    tells every client first; the reactor waits for the Deferred it returns.
    """
    reactor = sys.modules.get("twisted.internet.reactor")  # installed by daphne.server
    if reactor is None:
        return
    application_close = WebSocketProtocol.serverClose

    def server_close(protocol: WebSocketProtocol, code: int | None = None) -> None:
        if code in (CLOSE_GOING_AWAY, CLOSE_TOO_LARGE):
            protocol.sendCloseFrame(code=code, isReply=False)
        else:
            application_close(protocol, code)

    WebSocketProtocol.serverClose = server_close
    reactor.addSystemEventTrigger(
        "before", "shutdown", lambda: Deferred.fromFuture(asyncio.ensure_future(notify_shutdown()))
    )


_prepare_daphne()
