"""Fetching a hoster's media bytes: every URL and every redirect hop checked first.

Hoster pages, playlists and redirects name the URLs we fetch, so each one goes
through ``aniworld.addresses.ensure_public_url`` before a request leaves (DESIGN.md,
"Security rules"): a playlist naming a segment on 127.0.0.1 or a router's address
is refused instead of fetched into the library. Redirects are followed by hand for
the same reason.

Transient failures (network errors, a connection cut mid-body, 5xx, 429) are
retried with exponential backoff, each retry announced through ``on_retry`` so a
person sees why nothing moves; a file cut mid-transfer resumes with a Range
request. Other 4xx answers fail at once.

A plain file's body of known length is read from the connection's socket into
one reused 1 MB buffer and written from there, as ``curl -o FILE`` does; through
the HTTP client each 64 kB read cost a new bytes object, two copies in the HTTP
parser and its bookkeeping, 1.3 to 1.6 times curl's CPU time.
"""

from __future__ import annotations

import errno
import functools
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO, TypeVar
from urllib.parse import urljoin, urlsplit

import httpx

from aniworld.addresses import ensure_public_url, host_port
from aniworld.errors import InsufficientStorage
from aniworld.http import BROWSER_USER_AGENT
from downloads.errors import DownloadCancelled, MediaDownloadError, MediaVerificationError

MAX_REDIRECTS = 10
MAX_PLAYLIST_BYTES = 8 * 1024 * 1024
# One HLS segment is held in memory until its turn to be remuxed; real ones are
# a few MB (a few seconds of video), so this bound only stops a hostile server.
MAX_SEGMENT_BYTES = 64 * 1024 * 1024
MAX_BACKOFF_SECONDS = 30.0
# A plain file's body is read in steps of up to this many bytes into one buffer.
READ_BYTES = 1024 * 1024
REDIRECT_STATUSES = {301, 302, 303, 307, 308}

T = TypeVar("T")


class MediaFetcher:
    """An HTTP client for one download; safe to share between segment threads."""

    def __init__(
        self,
        headers: dict[str, str],
        *,
        socket_timeout: float,
        retry_backoff: float,
        should_stop: Callable[[], bool],
        on_retry: Callable[[str], None],
        connections: int = 4,
    ):
        self.client = httpx.Client(
            headers={"User-Agent": BROWSER_USER_AGENT, **headers},
            verify=_ssl_context(),
            timeout=socket_timeout,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        )
        self.socket_timeout = socket_timeout
        self.retry_backoff = retry_backoff
        self.should_stop = should_stop
        self.on_retry = on_retry
        self._aborted = threading.Event()
        # Only the thread that made the fetcher asks should_stop (it may query the
        # database); segment threads stop when it calls abort().
        self._owner = threading.get_ident()
        self._allowed: set[str] = set()  # host:port the guard let through
        self._lock = threading.Lock()

    def __enter__(self) -> MediaFetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.abort()
        self.client.close()

    def abort(self) -> None:
        """Make every transfer still running (in other threads) stop at its next chunk."""
        self._aborted.set()

    # -- what callers fetch ----------------------------------------------------

    def text(self, url: str, *, retries: int) -> tuple[str, str]:
        """A playlist's text and its URL after redirects (relative URIs are based on it)."""

        def attempt() -> tuple[str, str]:
            with self._open(url) as response:
                body = self._read_all(response, url, MAX_PLAYLIST_BYTES)
                return body.decode("utf-8", "replace"), str(response.url)

        return self._retrying("the playlist", retries, attempt)

    def content(
        self,
        url: str,
        *,
        retries: int,
        what: str,
        byte_range: tuple[int, int] | None = None,
        on_bytes: Callable[[int], None] | None = None,
        on_length: Callable[[int], None] | None = None,
    ) -> bytes:
        """The whole body of ``url`` (an HLS segment or key, ``what`` names it in
        retry notices); ``byte_range`` is (offset, length). ``on_bytes(n)`` hears of
        every chunk, and of ``-received`` when an attempt's bytes are dropped;
        ``on_length`` of the announced length."""
        headers = {}
        if byte_range:
            offset, length = byte_range
            headers["Range"] = f"bytes={offset}-{offset + length - 1}"

        def attempt() -> bytes:
            with self._open(url, headers) as response:
                length = response.headers.get("content-length", "")
                if on_length is not None and length.isdigit():
                    on_length(int(length))
                return self._read_all(response, url, MAX_SEGMENT_BYTES, on_bytes)

        return self._retrying(what, retries, attempt)

    def to_file(
        self,
        url: str,
        handle: BinaryIO,
        on_bytes: Callable[[int, int | None], None],
        *,
        retries: int,
    ) -> int:
        """Write ``url``'s body into ``handle``, resuming after a cut; return its size.

        ``on_bytes(written, total)`` follows the transfer.
        """
        written = 0
        total: int | None = None

        def attempt() -> int:
            nonlocal written, total
            headers = {"Range": f"bytes={written}-"} if written else {}
            with self._open(url, headers) as response:
                resumes_here = response.status_code == 206 and response.headers.get(
                    "content-range", ""
                ).startswith(f"bytes {written}-")
                if written and not resumes_here:
                    # The server ignored the Range (or answered another): start over.
                    handle.seek(0)
                    handle.truncate()
                    written = 0
                length = response.headers.get("content-length")
                if length and length.isdigit():
                    total = written + int(length)
                try:
                    for chunk in self._file_body(response, url):
                        self._check_stop()
                        _write(handle, chunk)
                        written += len(chunk)
                        on_bytes(written, total)
                except httpx.TransportError as exc:
                    raise _transport_error(exc, url) from exc
            return written

        return self._retrying("the file", retries, attempt)

    # -- the parts -------------------------------------------------------------

    def _file_body(self, response: httpx.Response, url: str) -> Iterator[bytes | memoryview]:
        """``response``'s raw body in chunks. When its length is known, all but the
        first chunk are read from the connection's socket into one reused buffer
        (each chunk is valid until the next is asked for); the connection is then
        not reused, as the HTTP parser did not see the body's end."""
        chunks = response.iter_raw()
        # The first chunk holds every body byte the parser had read with the headers;
        # the rest is still in the socket.
        first = next(chunks, None)
        if first is None:
            return
        yield first
        length = response.headers.get("content-length", "")
        sock = _body_socket(response)
        if sock is None or not length.isdigit():
            yield from chunks
            return
        left = int(length) - len(first)
        buffer = memoryview(bytearray(min(READ_BYTES, max(left, 0))))
        sock.settimeout(self.socket_timeout)
        while left > 0:
            try:
                count = sock.recv_into(buffer, min(len(buffer), left))
            except OSError as exc:  # a timeout, a reset, a TLS error
                raise _cut(url, str(exc) or type(exc).__name__, left) from exc
            if count == 0:
                raise _cut(url, "the server closed it", left)
            left -= count
            yield buffer[:count]

    @contextmanager
    def _open(self, url: str, headers: dict[str, str] | None = None) -> Iterator[httpx.Response]:
        """GET ``url`` following redirects, each hop checked before it is requested."""
        for _hop in range(MAX_REDIRECTS + 1):
            self._check_stop()
            self._ensure_allowed(url)
            request = self.client.build_request("GET", url, headers=headers)
            try:
                response = self.client.send(request, stream=True)
            except httpx.TransportError as exc:
                raise _transport_error(exc, url) from exc
            location = response.headers.get("location")
            if response.status_code in REDIRECT_STATUSES and location:
                response.close()
                url = urljoin(str(response.url), location)
                continue
            try:
                if response.status_code >= 400:
                    status = response.status_code
                    raise MediaDownloadError(
                        f"the media server answered HTTP {status} for {url}",
                        url=url,
                        status_code=status,
                        retryable=status == 429 or status >= 500,
                    )
                yield response
            finally:
                response.close()
            return
        raise MediaDownloadError(f"more than {MAX_REDIRECTS} redirects from {url}", url=url)

    def _ensure_allowed(self, url: str) -> None:
        """The address guard, asked once per host of this download: a playlist of
        hundreds of segments on one CDN host costs one DNS lookup, not hundreds."""
        target = host_port(url)
        if target in self._allowed:
            return
        ensure_public_url(url)
        with self._lock:
            self._allowed.add(target)

    def _read_all(
        self,
        response: httpx.Response,
        url: str,
        limit: int,
        on_bytes: Callable[[int], None] | None = None,
    ) -> bytes:
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_raw():
                self._check_stop()
                size += len(chunk)
                if on_bytes is not None:
                    on_bytes(len(chunk))
                if size > limit:
                    raise MediaVerificationError(
                        f"{_short(url)} is larger than {limit // 1024 // 1024} MB; "
                        "that is no playlist or segment"
                    )
                chunks.append(chunk)
        except BaseException as exc:
            if on_bytes is not None:
                on_bytes(-size)  # a retry starts this body over
            if isinstance(exc, httpx.TransportError):
                raise _transport_error(exc, url) from exc
            raise
        return b"".join(chunks)

    def _retrying(self, what: str, retries: int, attempt: Callable[[], T]) -> T:
        for number in range(retries + 1):
            try:
                return attempt()
            except MediaVerificationError:
                raise  # the server answered, with the wrong thing: the caller decides
            except MediaDownloadError as exc:
                if not exc.retryable or number == retries:
                    raise
                pause = min(self.retry_backoff * 2**number, MAX_BACKOFF_SECONDS)
                host = urlsplit(exc.url).netloc
                reason = f"HTTP {exc.status_code} from {host}" if exc.status_code else exc.message
                self.on_retry(
                    f"{reason}; retrying {what} ({number + 1}/{retries}) in {pause:.0f} s"
                )
                self._sleep(pause)
        raise AssertionError("unreachable")

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self._check_stop()
            time.sleep(min(0.2, left))

    def _check_stop(self) -> None:
        if self._aborted.is_set() or (threading.get_ident() == self._owner and self.should_stop()):
            self._aborted.set()
            raise DownloadCancelled("the download was stopped")


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One context for every download: loading the CA bundle takes 0.15 s, a fifth of a
    small episode's time if each download loaded it again."""
    return httpx.create_ssl_context()


def _write(handle: BinaryIO, chunk: bytes | memoryview) -> None:
    try:
        view = memoryview(chunk)
        while view:
            view = view[handle.write(view) :]
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise InsufficientStorage(f"the disk is full: {exc}") from exc
        raise


def _body_socket(response: httpx.Response) -> socket.socket | None:
    """The socket the rest of a body of known length can be read from directly: the
    connection's own, plain or TLS (not a tunnel's TLS inside it); none for a
    chunked body or HTTP/2 (frames, not the body)."""
    if response.http_version != "HTTP/1.1" or "transfer-encoding" in response.headers:
        return None
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    sock = stream.get_extra_info("socket")
    if isinstance(sock, ssl.SSLSocket):
        return sock
    if type(sock) is socket.socket and stream.get_extra_info("ssl_object") is None:
        return sock
    return None


def _cut(url: str, reason: str, left: int) -> MediaDownloadError:
    return MediaDownloadError(
        f"the connection to {urlsplit(url).netloc} failed: {reason} "
        f"with {left} bytes of the body to come",
        url=url,
        retryable=True,
    )


def _transport_error(exc: httpx.TransportError, url: str) -> MediaDownloadError:
    detail = str(exc) or type(exc).__name__
    return MediaDownloadError(
        f"the connection to {urlsplit(url).netloc} failed: {detail}", url=url, retryable=True
    )


def _short(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"[:120]
