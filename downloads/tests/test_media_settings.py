"""The settings a user sets for hoster traffic apply to the media bytes too (DESIGN.md,
configuration): ``ANIWORLD_PROXY`` (http, socks5h) carries every segment, and
``ANIWORLD_CA_BUNDLE``'s certificates are trusted beside the public roots."""

from __future__ import annotations

import contextlib
import os
import socket
import socketserver
import ssl
import struct
import threading
from collections.abc import Iterator

import pytest

from downloads import fetch
from downloads.connections import ProxiedConnections
from downloads.errors import MediaDownloadError
from downloads.fetch import MediaFetcher
from tests.fakes import tls as fake_tls
from tests.fakes.fixtures import allow_private
from tests.fakes.server import FakeServer, Reply

SEGMENT = os.urandom(200_000)
# A name that resolves nowhere: only a proxy that is really used can fetch it.
NOWHERE = "media.example.invalid"


@pytest.fixture(autouse=True)
def no_environment_proxies(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def fetch_segment(url: str) -> bytearray:
    with MediaFetcher(
        {}, socket_timeout=5, retry_backoff=0, should_stop=lambda: False, on_retry=print
    ) as client:
        assert isinstance(client.connections, ProxiedConnections) == bool(
            fetch.settings.ANIWORLD_PROXY
        )
        return client.content(url, retries=0, what="a segment", on_bytes=None)


class Socks5Proxy:
    """A SOCKS5 proxy (no authentication) that resolves names itself, as socks5h
    expects, and sends every connection to ``target`` whatever name it asks for."""

    def __init__(self, target: tuple[str, int]):
        self.names: list[str] = []
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                client = self.request
                _version, methods = client.recv(2)
                client.recv(methods)
                client.sendall(b"\x05\x00")  # no authentication
                _version, _command, _reserved, kind = client.recv(4)
                assert kind == 3, "socks5h sends the name, not an address"
                (length,) = client.recv(1)
                proxy.names.append(client.recv(length).decode())
                client.recv(2)  # the port
                upstream = socket.create_connection(target)
                client.sendall(
                    b"\x05\x00\x00\x01" + socket.inet_aton("0.0.0.0") + struct.pack("!H", 0)
                )
                pipe = threading.Thread(target=_copy, args=(upstream, client), daemon=True)
                pipe.start()
                _copy(client, upstream)
                pipe.join(5)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"socks5h://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Socks5Proxy:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


def _copy(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, target):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def media() -> Iterator[FakeServer]:
    with FakeServer() as server:
        server.route("GET", "/seg1.ts", lambda request: Reply(body=SEGMENT))
        yield server


def test_an_http_proxy_set_in_aniworld_proxy_carries_the_segments(settings, media):
    settings.ANIWORLD_PROXY = media.url  # an HTTP proxy gets absolute-form requests

    assert fetch_segment(f"http://{NOWHERE}/seg1.ts") == SEGMENT
    assert len(media.requests) == 1


def test_a_socks5h_proxy_resolves_the_hosters_name_itself(settings, media):
    host, port = media.url.removeprefix("http://").split(":")
    with Socks5Proxy((host, int(port))) as proxy:
        settings.ANIWORLD_PROXY = proxy.url

        assert fetch_segment(f"http://{NOWHERE}/seg1.ts") == SEGMENT

    assert proxy.names == [NOWHERE]


def test_without_aniworld_proxy_the_segments_go_direct(settings, media):
    settings.ANIWORLD_PROXY = ""
    allow_private(settings, media)

    assert fetch_segment(f"{media.url}/seg1.ts") == SEGMENT
    with pytest.raises(MediaDownloadError):
        fetch_segment(f"http://{NOWHERE}/seg1.ts")


@pytest.fixture
def tls_media(tmp_path, settings) -> Iterator[tuple[str, fake_tls.TestCertificates]]:
    """A TLS media server whose certificate only a test CA vouches for."""
    certificates = fake_tls.TestCertificates(tmp_path, ())
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificates.cert_path)
    listener = socket.create_server(("127.0.0.1", 0))
    url = f"https://127.0.0.1:{listener.getsockname()[1]}"

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            try:
                with context.wrap_socket(connection, server_side=True) as tls:
                    request = b""
                    while b"\r\n\r\n" not in request:
                        request += tls.recv(65536)
                    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(SEGMENT)}\r\n\r\n"
                    tls.sendall(head.encode() + SEGMENT)
            except (OSError, ssl.SSLError):
                continue  # a client that did not trust us

    threading.Thread(target=serve, daemon=True).start()
    allow_private(settings, type("Server", (), {"url": url}))
    yield url, certificates
    listener.close()


def test_the_certificates_of_aniworld_ca_bundle_are_trusted_for_media(settings, tls_media):
    url, certificates = tls_media
    settings.ANIWORLD_PROXY = ""

    settings.ANIWORLD_CA_BUNDLE = ""
    with pytest.raises(MediaDownloadError, match="CERTIFICATE_VERIFY_FAILED"):
        fetch_segment(f"{url}/seg1.ts")

    settings.ANIWORLD_CA_BUNDLE = str(certificates.ca_path)
    assert fetch_segment(f"{url}/seg1.ts") == SEGMENT


def test_an_unreadable_ca_bundle_is_a_clear_error(settings, tmp_path):
    broken = tmp_path / "broken.pem"
    broken.write_text("not a certificate")
    settings.ANIWORLD_CA_BUNDLE = str(broken)

    with pytest.raises(MediaDownloadError, match=r"ANIWORLD_CA_BUNDLE .* cannot be read as PEM"):
        fetch_segment("https://127.0.0.1:9/seg1.ts")
