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

Bodies are read straight into buffers, over connections kept open between
requests (``downloads.connections``): a segment into one that holds its announced
length, used again for a later segment once given back (``recycle``); a plain file
into one reused buffer written from there, as ``curl -o FILE`` does.
"""

from __future__ import annotations

import errno
import functools
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO, TypeVar
from urllib.parse import urljoin, urlsplit

import httpx
from django.conf import settings

from aniworld.addresses import ensure_public_url, host_port
from aniworld.errors import InsufficientStorage
from aniworld.http import BROWSER_USER_AGENT
from downloads.connections import (
    ConnectionFailed,
    DirectAnswer,
    DirectConnections,
    ProxiedAnswer,
    ProxiedConnections,
    environment_proxies,
    merge_headers,
)
from downloads.errors import DownloadCancelled, MediaDownloadError, MediaVerificationError

MAX_REDIRECTS = 10
MAX_PLAYLIST_BYTES = 8 * 1024 * 1024
# One HLS segment is held in memory until its turn to be remuxed; real ones are
# a few MB (a few seconds of video), so this bound only stops a hostile server.
MAX_SEGMENT_BYTES = 64 * 1024 * 1024
MAX_BACKOFF_SECONDS = 30.0
# Bodies are read in steps of up to this many bytes (a plain file's into one
# reused buffer of this size); each step takes what has arrived, so progress and
# a stop request are noticed on slow links too.
READ_BYTES = 1024 * 1024
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
# Segment buffers kept for reuse: about as many as segments are in flight.
SEGMENT_BUFFERS = 16

T = TypeVar("T")
Answer = DirectAnswer | ProxiedAnswer


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
        self.headers = merge_headers({"User-Agent": BROWSER_USER_AGENT, "Accept": "*/*"}, headers)
        # Hoster traffic goes through ANIWORLD_PROXY when it is set (DESIGN.md,
        # configuration), else through a proxy the environment names, else direct.
        context = _ssl_context(settings.ANIWORLD_CA_BUNDLE)
        if settings.ANIWORLD_PROXY or environment_proxies():
            self.connections = ProxiedConnections(
                timeout=socket_timeout,
                context=context,
                idle=connections,
                proxy=settings.ANIWORLD_PROXY or None,
            )
        else:
            self.connections = DirectConnections(
                timeout=socket_timeout, context=context, idle=connections
            )
        self.retry_backoff = retry_backoff
        self._buffers = _Buffers(keep=SEGMENT_BUFFERS)
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
        self.connections.close()

    def abort(self) -> None:
        """Make every transfer still running (in other threads) stop at its next chunk."""
        self._aborted.set()

    # -- what callers fetch ----------------------------------------------------

    def text(self, url: str, *, retries: int) -> tuple[str, str]:
        """A playlist's text and its URL after redirects (relative URIs are based on it)."""

        def attempt() -> tuple[str, str]:
            with self._open(url) as answer:
                body = self._read_all(answer, url, MAX_PLAYLIST_BYTES)
                return str(body, "utf-8", "replace"), answer.url

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
    ) -> memoryview:
        """The whole body of ``url`` (an HLS segment or key, ``what`` names it in
        retry notices); ``byte_range`` is (offset, length). ``on_bytes(n)`` hears of
        every chunk, and of ``-received`` when an attempt's bytes are dropped;
        ``on_length`` of the announced length. Give the body back with ``recycle``
        once it has been used, for a later one to be read into."""
        headers = {}
        if byte_range:
            offset, length = byte_range
            headers["Range"] = f"bytes={offset}-{offset + length - 1}"

        def attempt() -> memoryview:
            with self._open(url, headers) as answer:
                if on_length is not None and answer.length is not None:
                    on_length(answer.length)
                return self._read_all(
                    answer, url, MAX_SEGMENT_BYTES, on_bytes, buffers=self._buffers
                )

        return self._retrying(what, retries, attempt)

    def recycle(self, body: memoryview | bytes) -> None:
        """Take back a body ``content`` returned; nothing may read it afterwards."""
        if isinstance(body, memoryview) and isinstance(body.obj, bytearray):
            self._buffers.give(body.obj)

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
        buffer = memoryview(bytearray(READ_BYTES))

        def attempt() -> int:
            nonlocal written, total
            headers = {"Range": f"bytes={written}-"} if written else {}
            with self._open(url, headers) as answer:
                resumes_here = answer.status_code == 206 and answer.header(
                    "content-range"
                ).startswith(f"bytes {written}-")
                if written and not resumes_here:
                    # The server ignored the Range (or answered another): start over.
                    handle.seek(0)
                    handle.truncate()
                    written = 0
                if answer.length is not None:
                    total = written + answer.length
                for piece in self._pieces(answer, url, buffer):
                    _write(handle, piece)
                    written += len(piece)
                    on_bytes(written, total)
            return written

        return self._retrying("the file", retries, attempt)

    # -- the parts -------------------------------------------------------------

    def _pieces(self, answer: Answer, url: str, buffer: memoryview) -> Iterator[memoryview]:
        """``answer``'s body read into ``buffer`` in steps of up to READ_BYTES, each
        piece the next part of ``buffer`` (starting over at its start once it is
        full: a piece is valid until the next is asked for). A body that ends short
        of its announced length is a cut."""
        left = answer.length
        position = 0
        while left is None or left > 0:
            self._check_stop()
            if position == len(buffer):
                position = 0
            end = min(len(buffer), position + READ_BYTES)
            if left is not None:
                end = min(end, position + left)
            try:
                count = answer.readinto(buffer[position:end])
            except ConnectionFailed as exc:
                raise _failed(url, exc) from exc
            if count == 0:
                if left:
                    raise _cut(url, "the server closed it", left)
                return
            yield buffer[position : position + count]
            position += count
            if left is not None:
                left -= count

    @contextmanager
    def _open(self, url: str, headers: dict[str, str] | None = None) -> Iterator[Answer]:
        """GET ``url`` following redirects, each hop checked before it is requested."""
        for _hop in range(MAX_REDIRECTS + 1):
            self._check_stop()
            self._ensure_allowed(url)
            try:
                answer = self.connections.open(url, {**self.headers, **(headers or {})})
            except ConnectionFailed as exc:
                raise _failed(url, exc) from exc
            location = answer.header("location")
            if answer.status_code in REDIRECT_STATUSES and location:
                answer.discard()
                url = urljoin(answer.url, location)
                continue
            try:
                if answer.status_code >= 400:
                    status = answer.status_code
                    raise MediaDownloadError(
                        f"the media server answered HTTP {status} for {url}",
                        url=url,
                        status_code=status,
                        retryable=status == 429 or status >= 500,
                    )
                yield answer
            finally:
                answer.close()
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
        answer: Answer,
        url: str,
        limit: int,
        on_bytes: Callable[[int], None] | None = None,
        *,
        buffers: _Buffers | None = None,
    ) -> memoryview:
        """The whole body, read into one buffer of its announced length (one of
        ``buffers`` when given; grown piece by piece when no length is announced);
        over ``limit`` bytes it is refused."""
        length = answer.length
        if length is not None and length > limit:
            raise _too_large(url, limit)
        if length is None:
            body = bytearray()
            buffer = memoryview(bytearray(READ_BYTES))
        else:
            body = buffers.take(length) if buffers else bytearray(length)
            buffer = memoryview(body)[:length]
        size = 0
        try:
            for piece in self._pieces(answer, url, buffer):
                size += len(piece)
                if on_bytes is not None:
                    on_bytes(len(piece))
                if size > limit:
                    raise _too_large(url, limit)
                if length is None:
                    body += piece
        except BaseException:
            if on_bytes is not None:
                on_bytes(-size)  # a retry starts this body over
            raise
        return buffer if length is not None else memoryview(body)

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


class _Buffers:
    """Buffers for segment bodies, used again once their segment went to ffmpeg: a
    new one for every segment cost a page fault per 4 kB, a tenth of the
    fetcher's CPU time. At most ``keep`` wait between segments."""

    def __init__(self, keep: int):
        self.keep = keep
        self._free: list[bytearray] = []
        self._lock = threading.Lock()

    def take(self, size: int) -> bytearray:
        """The smallest waiting buffer of at least ``size`` bytes, or a new one with
        room to spare (segments of a stream differ a little in size)."""
        with self._lock:
            fitting = [index for index, buffer in enumerate(self._free) if len(buffer) >= size]
            if fitting:
                return self._free.pop(min(fitting, key=lambda index: len(self._free[index])))
        return bytearray(size + size // 4)

    def give(self, buffer: bytearray) -> None:
        with self._lock:
            if len(self._free) < self.keep:
                self._free.append(buffer)


@functools.cache
def _ssl_context(extra_certificates: str) -> ssl.SSLContext:
    """One context for every download: loading the CA bundle takes 0.15 s, a fifth of a
    small episode's time if each download loaded it again. httpx's, which trusts
    ``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` when set, plus ``ANIWORLD_CA_BUNDLE``'s
    certificates (added to the public roots, as for the sites); HTTP/1.1 only."""
    context = httpx.create_ssl_context()
    if extra_certificates:
        try:
            context.load_verify_locations(cafile=extra_certificates)
        except (OSError, ssl.SSLError) as exc:
            raise MediaDownloadError(
                f"ANIWORLD_CA_BUNDLE {extra_certificates} cannot be read as PEM: {exc}"
            ) from exc
    context.set_alpn_protocols(["http/1.1"])
    return context


def _write(handle: BinaryIO, chunk: bytes | memoryview) -> None:
    try:
        view = memoryview(chunk)
        while view:
            view = view[handle.write(view) :]
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise InsufficientStorage(f"the disk is full: {exc}") from exc
        raise


def _cut(url: str, reason: str, left: int) -> MediaDownloadError:
    return MediaDownloadError(
        f"the connection to {urlsplit(url).netloc} failed: {reason} "
        f"with {left} bytes of the body to come",
        url=url,
        retryable=True,
    )


def _failed(url: str, exc: ConnectionFailed) -> MediaDownloadError:
    return MediaDownloadError(
        f"the connection to {urlsplit(url).netloc} failed: {exc}", url=url, retryable=True
    )


def _too_large(url: str, limit: int) -> MediaVerificationError:
    return MediaVerificationError(
        f"{_short(url)} is larger than {limit // 1024 // 1024} MB; that is no playlist or segment"
    )


def _short(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"[:120]
