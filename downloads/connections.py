"""How the media fetcher's requests travel: kept-alive connections, or httpx through a proxy.

``DirectConnections`` keeps a few HTTP/1.1 connections per host open between
requests, so the hundreds of segments of an HLS stream cost a few TCP and TLS
handshakes, not one each, and reads a body into a buffer the caller gives
(``readinto``): the bytes are copied once, from the socket into that buffer, as
ffmpeg and curl do. Through httpx each 64 kB read became a bytes object copied
again inside its HTTP parser and once more when a segment's pieces were joined,
three times the CPU time. The standard library's ``http.client`` reads the
status line and headers.

With ``ANIWORLD_PROXY`` set (http, socks5 or socks5h), or a proxy the environment
names (``HTTP_PROXY``, ``HTTPS_PROXY``, ``ALL_PROXY``), ``ProxiedConnections``
sends the requests through httpx instead, behind the same small ``Answer``
interface.

Redirects, retries and the private-address guard are the fetcher's
(``downloads.fetch``); both transports raise ``ConnectionFailed`` when no answer
comes or a body breaks off.
"""

from __future__ import annotations

import http.client
import select
import socket
import ssl
import threading
import urllib.request
from collections.abc import Mapping
from urllib.parse import quote, urlsplit

import httpx

# A redirect's or an error's body up to this size is read to its end, so that its
# connection serves the next request instead of being closed.
DRAIN_BYTES = 64 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}
# What stays as it is in a request's path and query: RFC 3986's unreserved and
# reserved characters, and "%" of escapes already there.
PATH_SAFE = "-._~:/?#[]@!$&'()*+,;=%"


class ConnectionFailed(Exception):
    """No HTTP answer came, or its body broke off: worth another try."""


def environment_proxies() -> bool:
    """Whether httpx would send some request through a proxy from the environment."""
    return any(urllib.request.getproxies().get(scheme) for scheme in ("http", "https", "all"))


class DirectAnswer:
    """One answer on a kept-alive connection; the connection goes back to its pool
    once the body has been read to its end."""

    def __init__(
        self,
        pool: DirectConnections,
        key: tuple[str, str, int],
        connection: http.client.HTTPConnection,
        response: http.client.HTTPResponse,
        url: str,
    ):
        self._pool = pool
        self._key = key
        self._connection: http.client.HTTPConnection | None = connection
        self._response = response
        self.url = url
        self.status_code = response.status
        self.length = _length(self.header("content-length"), self.header("transfer-encoding"))
        if response.status in (204, 304) or response.status < 200:
            self.length = 0  # whatever its Content-Length says (RFC 9112, 6.3)
        self._left = self.length
        if self._complete():  # no body at all
            self._release()

    def header(self, name: str) -> str:
        return self._response.getheader(name, "") or ""

    def readinto(self, view: memoryview) -> int:
        """Read the next bytes of the body into ``view``: those that have arrived, up to
        the body's end; 0 at its end (or where the server closed a cut body)."""
        try:
            if self._response.fp is None:  # the answer is closed: nothing more to read
                count = 0
            elif self._left is not None:
                # Straight from the connection's buffered reader: http.client's own
                # readinto waits until ``view`` is full, which on a slow link holds
                # back progress reports and a stop request for seconds.
                count = self._response.fp.readinto1(view[: self._left])
            else:  # chunked, or up to the close: http.client reads the framing
                count = self._response.readinto(view)
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise ConnectionFailed(_describe(exc)) from exc
        if self._left is not None:
            self._left -= count
        if self._complete():
            self._release()
        return count

    def discard(self) -> None:
        """Read a short body to its end, so that the connection is kept; close a long one."""
        if self._left is not None and self._left <= DRAIN_BYTES:
            try:
                while self._left and self.readinto(memoryview(bytearray(self._left))):
                    pass
            except ConnectionFailed:
                return
        self.close()

    def close(self) -> None:
        """Done with the answer: a connection with body bytes still to come is closed."""
        if self._connection is not None:
            self._response.close()
            self._connection.close()
            self._connection = None

    def _complete(self) -> bool:
        if self._left is None:  # chunked: http.client closes it after the last chunk
            return self.header("transfer-encoding") != "" and self._response.isclosed()
        return self._left <= 0

    def _release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        self._response.close()
        if self._response.will_close:
            connection.close()
        else:
            self._pool.release(self._key, connection)


class DirectConnections:
    """Kept-alive HTTP/1.1 connections by scheme, host and port, shared by a
    download's threads; at most ``idle`` of them wait per host between requests."""

    def __init__(self, *, timeout: float, context: ssl.SSLContext, idle: int):
        self.timeout = timeout
        self.context = context
        self.idle = idle
        self._waiting: dict[tuple[str, str, int], list[http.client.HTTPConnection]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def open(self, url: str, headers: Mapping[str, str]) -> DirectAnswer:
        """GET ``url``; its status and headers are read, its body is the caller's to read."""
        try:
            key, target = _request_target(url)
        except (ValueError, KeyError, UnicodeError) as exc:
            raise ConnectionFailed(f"cannot request {url[:200]}: {exc}") from exc
        while True:
            connection, reused = self._take(key)
            try:
                connection.request("GET", target, headers=dict(headers))
                response = connection.getresponse()
            except (ConnectionError, ssl.SSLEOFError, ssl.SSLZeroReturnError) as exc:
                connection.close()
                if reused:
                    continue  # the server had closed the idle connection: a new one
                raise ConnectionFailed(_describe(exc)) from exc
            except (OSError, http.client.HTTPException) as exc:
                connection.close()
                raise ConnectionFailed(_describe(exc)) from exc
            return DirectAnswer(self, key, connection, response, url)

    def release(self, key: tuple[str, str, int], connection: http.client.HTTPConnection) -> None:
        with self._lock:
            waiting = self._waiting.setdefault(key, [])
            if not self._closed and len(waiting) < self.idle:
                waiting.append(connection)
                return
        connection.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            waiting = [connection for group in self._waiting.values() for connection in group]
            self._waiting.clear()
        for connection in waiting:
            connection.close()

    def _take(self, key: tuple[str, str, int]) -> tuple[http.client.HTTPConnection, bool]:
        """An idle connection to ``key`` that still looks open, or a new one; whether reused."""
        while True:
            with self._lock:
                waiting = self._waiting.get(key)
                connection = waiting.pop() if waiting else None
            if connection is None:
                break
            if connection.sock is not None and not _readable(connection.sock):
                return connection, True
            connection.close()  # the server closed it (EOF waiting), or sent what it should not
        scheme, host, port = key
        if scheme == "https":
            return http.client.HTTPSConnection(
                host, port, timeout=self.timeout, context=self.context
            ), False
        return http.client.HTTPConnection(host, port, timeout=self.timeout), False


class ProxiedAnswer:
    """An httpx response behind the same interface as ``DirectAnswer``."""

    def __init__(self, response: httpx.Response):
        self._response = response
        self._chunks = response.iter_raw()
        self._pending = memoryview(b"")
        self.url = str(response.url)
        self.status_code = response.status_code
        self.length = _length(self.header("content-length"), self.header("transfer-encoding"))

    def header(self, name: str) -> str:
        return self._response.headers.get(name, "")

    def readinto(self, view: memoryview) -> int:
        try:
            while not self._pending:
                chunk = next(self._chunks, None)
                if chunk is None:
                    return 0
                self._pending = memoryview(chunk)
        except httpx.TransportError as exc:
            raise ConnectionFailed(_describe(exc)) from exc
        count = min(len(view), len(self._pending))
        view[:count] = self._pending[:count]
        self._pending = self._pending[count:]
        return count

    def discard(self) -> None:
        self.close()

    def close(self) -> None:
        self._response.close()


class ProxiedConnections:
    """httpx through ``proxy`` (ANIWORLD_PROXY: http, socks5 or socks5h), or through the
    proxies the environment names when it is None."""

    def __init__(
        self, *, timeout: float, context: ssl.SSLContext, idle: int, proxy: str | None = None
    ):
        self._client = httpx.Client(
            proxy=proxy,
            verify=context,
            timeout=timeout,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=idle, max_keepalive_connections=idle),
        )

    def open(self, url: str, headers: Mapping[str, str]) -> ProxiedAnswer:
        try:
            request = self._client.build_request("GET", url, headers=dict(headers))
            return ProxiedAnswer(self._client.send(request, stream=True))
        except httpx.TransportError as exc:
            raise ConnectionFailed(_describe(exc)) from exc

    def close(self) -> None:
        self._client.close()


def merge_headers(*groups: Mapping[str, str]) -> dict[str, str]:
    """Headers of ``groups``, a later one's value winning whatever the case of its name."""
    merged: dict[str, tuple[str, str]] = {}
    for group in groups:
        for name, value in group.items():
            merged[name.lower()] = (name, value)
    return dict(merged.values())


def _request_target(url: str) -> tuple[tuple[str, str, int], str]:
    """(scheme, host, port) of ``url`` and the path and query to request, with what
    may not stand in a request line percent-encoded (as httpx did). urlsplit, not
    httpx.URL: its checks took half a millisecond a segment."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if not host.isascii():
        host = host.encode("idna").decode("ascii")
    target = quote(parts.path or "/", safe=PATH_SAFE)
    if parts.query:
        target += "?" + quote(parts.query, safe=PATH_SAFE)
    return (scheme, host, parts.port or DEFAULT_PORTS[scheme]), target


def _length(content_length: str, transfer_encoding: str) -> int | None:
    """The body's announced length; None for a chunked one or one that runs until the close."""
    if transfer_encoding or not content_length.isdigit():
        return None
    return int(content_length)


def _readable(sock: socket.socket) -> bool:
    """Whether an idle connection has something to read: its end, or bytes it should not have."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([sock], [], [], 0)[0])


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
