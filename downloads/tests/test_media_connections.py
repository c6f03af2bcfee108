"""Segments travel over a few kept-alive connections, read into one buffer each,
with the guard, retries, the size limit and proxies as before (downloads.connections)."""

from __future__ import annotations

import os
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from aniworld.addresses import BlockedAddressError
from downloads import fetch
from downloads.connections import DirectConnections, ProxiedConnections
from downloads.errors import MediaVerificationError
from downloads.fetch import MediaFetcher
from tests.fakes import tls as fake_tls
from tests.fakes.fixtures import allow_private
from tests.fakes.server import FakeServer, Reply

SEGMENT = os.urandom(300_000)


class CountingServer(FakeServer):
    """A FakeServer that counts the TCP connections its clients open."""

    def __init__(self):
        super().__init__()
        self.connections = 0
        counter = self
        handler = self._server.RequestHandlerClass

        class Counting(handler):
            def setup(self):  # once per connection
                counter.connections += 1
                super().setup()

        self._server.RequestHandlerClass = Counting


@pytest.fixture
def retries() -> list[str]:
    return []


@pytest.fixture
def fetcher(retries, monkeypatch) -> Iterator[MediaFetcher]:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("all_proxy", raising=False)
    with MediaFetcher(
        {"Referer": "https://hoster.example/e/1"},
        socket_timeout=5,
        retry_backoff=0,
        should_stop=lambda: False,
        on_retry=retries.append,
        connections=4,
    ) as client:
        yield client


@pytest.fixture
def server(settings) -> Iterator[CountingServer]:
    with CountingServer() as running:
        allow_private(settings, running)
        running.route("GET", r"/seg(?P<number>\d+)\.ts", lambda request: Reply(body=SEGMENT))
        yield running


def segment(fetcher: MediaFetcher, url: str, received: list[int] | None = None) -> bytearray:
    return fetcher.content(
        url, retries=3, what="a segment", on_bytes=None if received is None else received.append
    )


def test_many_segments_travel_over_a_few_kept_alive_connections(fetcher, server):
    urls = [f"{server.url}/seg{number}.ts" for number in range(40)]

    with ThreadPoolExecutor(4) as pool:
        bodies = list(pool.map(lambda url: segment(fetcher, url), urls))

    assert all(body == SEGMENT for body in bodies)
    assert len(server.requests) == 40
    assert 1 <= server.connections <= 4
    assert isinstance(fetcher.connections, DirectConnections)


def test_one_after_the_other_segments_share_one_connection(fetcher, server):
    for number in range(10):
        assert segment(fetcher, f"{server.url}/seg{number}.ts") == SEGMENT

    assert server.connections == 1


def test_the_extractors_headers_go_with_every_segment(fetcher, server):
    segment(fetcher, f"{server.url}/seg1.ts")

    headers = server.requests[0].headers
    assert headers["referer"] == "https://hoster.example/e/1"
    assert headers["user-agent"].startswith("Mozilla/5.0")


def test_a_segment_cut_mid_body_is_retried_and_arrives_whole(fetcher, server, retries):
    served = []

    def cut_once(request):
        served.append(request)
        return Reply(body=SEGMENT, cut_after=100_000 if len(served) == 1 else None)

    server.route("GET", "/cut.ts", cut_once)
    received: list[int] = []

    assert segment(fetcher, f"{server.url}/cut.ts", received) == SEGMENT

    assert len(served) == 2
    assert len(retries) == 1
    assert "retrying a segment (1/3)" in retries[0]
    assert sum(received) == len(SEGMENT)  # the cut attempt's bytes were taken back


def test_a_redirect_to_a_private_address_is_refused(fetcher, server):
    with FakeServer() as internal:
        server.route(
            "GET", "/jump.ts", lambda request: Reply(302, "", {"Location": f"{internal.url}/s.ts"})
        )

        with pytest.raises(BlockedAddressError):
            segment(fetcher, f"{server.url}/jump.ts")

    assert internal.requests == []


def test_a_redirect_keeps_its_connection_for_the_next_request(fetcher, server):
    server.route("GET", "/jump.ts", lambda request: Reply(302, "moved", {"Location": "/seg7.ts"}))

    assert segment(fetcher, f"{server.url}/jump.ts") == SEGMENT
    assert segment(fetcher, f"{server.url}/jump.ts") == SEGMENT

    assert [request.path for request in server.requests] == ["/jump.ts", "/seg7.ts"] * 2
    assert server.connections == 1


def test_a_segment_announced_over_the_size_limit_is_refused_unread(
    fetcher, server, monkeypatch, retries
):
    monkeypatch.setattr(fetch, "MAX_SEGMENT_BYTES", 100_000)

    with pytest.raises(MediaVerificationError, match="larger than"):
        segment(fetcher, f"{server.url}/seg1.ts")

    assert retries == []


def serve_raw(settings, answer: Callable[[socket.socket, int], None]) -> Iterator[str]:
    """A server that reads each request head and lets ``answer(connection, number)``
    write whatever it likes, then closes the connection."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)  # to notice the end
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    allow_private(settings, type("Server", (), {"url": url}))
    stopped = threading.Event()

    def run() -> None:
        number = 0
        while not stopped.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.settimeout(5)
            with connection:
                request = b""
                while b"\r\n\r\n" not in request:
                    request += connection.recv(65536)
                number += 1
                answer(connection, number)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        stopped.set()
        listener.close()
        thread.join(timeout=5)


def test_a_segment_without_a_length_is_refused_once_it_grows_past_the_limit(
    fetcher, settings, monkeypatch
):
    monkeypatch.setattr(fetch, "MAX_SEGMENT_BYTES", 100_000)

    def endless(connection: socket.socket, number: int) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
        connection.sendall(SEGMENT)

    for url in serve_raw(settings, endless):
        with pytest.raises(MediaVerificationError, match="larger than"):
            segment(fetcher, f"{url}/seg1.ts")


def test_a_connection_the_server_closed_while_idle_is_replaced_quietly(fetcher, settings, retries):
    def once_per_connection(connection: socket.socket, number: int) -> None:
        # Keep-alive announced, but the connection closes after one answer.
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(SEGMENT)}\r\n\r\n".encode()
        connection.sendall(head + SEGMENT)

    for url in serve_raw(settings, once_per_connection):
        for _ in range(3):
            assert segment(fetcher, f"{url}/seg1.ts") == SEGMENT

    assert retries == []


def test_a_proxy_from_the_environment_carries_the_segments(retries, settings, monkeypatch):
    with FakeServer() as proxy:
        # An HTTP proxy gets absolute-form requests; the fake routes them by path.
        proxy.route("GET", "/seg1.ts", lambda request: Reply(body=SEGMENT))
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        with MediaFetcher(
            {}, socket_timeout=5, retry_backoff=0, should_stop=lambda: False, on_retry=print
        ) as proxied:
            # A name that resolves nowhere: only the proxy can fetch it.
            body = segment(proxied, "http://media.example.invalid/seg1.ts")
            assert isinstance(proxied.connections, ProxiedConnections)

    assert body == SEGMENT
    assert len(proxy.requests) == 1


def test_a_body_given_back_is_read_into_again(fetcher, server):
    first = segment(fetcher, f"{server.url}/seg1.ts")
    buffer = first.obj
    fetcher.recycle(first)

    second = segment(fetcher, f"{server.url}/seg2.ts")

    assert second.obj is buffer
    assert second == SEGMENT


def test_a_segment_name_with_a_space_is_requested_percent_encoded(fetcher, server):
    server.route("GET", "/seg%201.ts", lambda request: Reply(body=SEGMENT))

    assert segment(fetcher, f"{server.url}/seg 1.ts?token=a b") == SEGMENT

    assert server.requests[0].query == {"token": ["a b"]}


def test_segments_over_tls_share_one_connection(tmp_path, settings, monkeypatch):
    certificates = fake_tls.TestCertificates(tmp_path, ())
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificates.cert_path)
    listener = socket.create_server(("127.0.0.1", 0))
    url = f"https://127.0.0.1:{listener.getsockname()[1]}"
    accepted = []

    def serve() -> None:
        connection, _ = listener.accept()
        accepted.append(connection)
        with context.wrap_socket(connection, server_side=True) as tls:
            for _ in range(3):
                request = b""
                while b"\r\n\r\n" not in request:
                    request += tls.recv(65536)
                head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(SEGMENT)}\r\n\r\n"
                tls.sendall(head.encode() + SEGMENT)

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    allow_private(settings, type("Server", (), {"url": url}))
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca_path))
    fetch._ssl_context.cache_clear()  # made again, trusting the test CA
    try:
        with MediaFetcher(
            {}, socket_timeout=5, retry_backoff=0, should_stop=lambda: False, on_retry=print
        ) as client:
            bodies = [segment(client, f"{url}/seg{number}.ts") for number in range(3)]
    finally:
        fetch._ssl_context.cache_clear()
        listener.close()
    server.join(timeout=5)

    assert bodies == [SEGMENT] * 3
    assert len(accepted) == 1


def test_a_no_content_answer_has_no_body_whatever_its_length_says(fetcher, settings):
    done = threading.Event()

    def no_content(connection: socket.socket, number: int) -> None:
        connection.sendall(b"HTTP/1.1 204 No Content\r\nContent-Length: 5000\r\n\r\n")
        done.wait(5)  # the connection stays open: reading a body would wait

    for url in serve_raw(settings, no_content):
        try:
            assert bytes(segment(fetcher, f"{url}/seg1.ts")) == b""
        finally:
            done.set()
