"""The fetcher writes a plain file's body byte for byte, read piece by piece into
one reused buffer, over plain HTTP and TLS, and after a cut."""

from __future__ import annotations

import os
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from downloads import fetch
from downloads.fetch import MediaFetcher
from tests.fakes import tls as fake_tls
from tests.fakes.fixtures import allow_private
from tests.fakes.server import FakeServer, Reply

# Several times the buffer each piece of a body is read into.
BODY = os.urandom(5 * 1024 * 1024 + 123)


@pytest.fixture
def body_file(tmp_path) -> Path:
    path = tmp_path / "served.bin"
    path.write_bytes(BODY)
    return path


@pytest.fixture
def fetcher() -> Iterator[MediaFetcher]:
    with MediaFetcher(
        {}, socket_timeout=5, retry_backoff=0, should_stop=lambda: False, on_retry=print
    ) as client:
        yield client


def fetch_into(fetcher: MediaFetcher, url: str, path: Path) -> list[tuple[int, int | None]]:
    progress: list[tuple[int, int | None]] = []
    with open(path, "wb", buffering=0) as handle:
        size = fetcher.to_file(url, handle, lambda *report: progress.append(report), retries=2)
    assert size == len(BODY)
    return progress


def test_a_large_body_arrives_byte_for_byte_and_the_fetcher_goes_on(
    fetcher, body_file, tmp_path, settings
):
    with FakeServer() as server:
        allow_private(settings, server)
        server.route("GET", "/video.bin", lambda request: Reply(file=body_file))

        progress = fetch_into(fetcher, f"{server.url}/video.bin", tmp_path / "first.part")
        fetch_into(fetcher, f"{server.url}/video.bin", tmp_path / "second.part")

    assert (tmp_path / "first.part").read_bytes() == BODY
    assert (tmp_path / "second.part").read_bytes() == BODY
    assert progress[-1] == (len(BODY), len(BODY))
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)


def test_a_cut_after_megabytes_resumes_where_it_stopped(fetcher, body_file, tmp_path, settings):
    requests = []

    def cut_once(request):
        requests.append(request.headers.get("range"))
        if len(requests) == 1:
            return Reply(file=body_file, cut_after=3_000_000)
        return Reply(file=body_file)

    with FakeServer() as server:
        allow_private(settings, server)
        server.route("GET", "/video.bin", cut_once)
        fetch_into(fetcher, f"{server.url}/video.bin", tmp_path / "video.part")

    assert requests == [None, "bytes=3000000-"]
    assert (tmp_path / "video.part").read_bytes() == BODY


def test_a_large_body_over_tls_arrives_byte_for_byte(tmp_path, settings, monkeypatch):
    certificates = fake_tls.TestCertificates(tmp_path, ())
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificates.cert_path)
    listener = socket.create_server(("127.0.0.1", 0))
    url = f"https://127.0.0.1:{listener.getsockname()[1]}/video.bin"

    def serve_once() -> None:
        connection, _ = listener.accept()
        with context.wrap_socket(connection, server_side=True) as tls:
            request = b""
            while b"\r\n\r\n" not in request:
                request += tls.recv(65536)
            head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(BODY)}\r\n\r\n"
            tls.sendall(head.encode() + BODY)

    server = threading.Thread(target=serve_once, daemon=True)
    server.start()
    allow_private(settings, SimpleNamespace(url=url))
    # The fetcher's one TLS context, made again trusting the test CA.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca_path))
    fetch._ssl_context.cache_clear()
    try:
        with MediaFetcher(
            {}, socket_timeout=5, retry_backoff=0, should_stop=lambda: False, on_retry=print
        ) as client:
            fetch_into(client, url, tmp_path / "video.part")
    finally:
        fetch._ssl_context.cache_clear()
        listener.close()
    server.join(timeout=5)

    assert (tmp_path / "video.part").read_bytes() == BODY
