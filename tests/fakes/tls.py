"""A TLS front on 127.0.0.1 that, like aniworld.to since August 2026, answers 403 to
clients whose handshake is not a browser's.

It reads the raw ClientHello before the handshake (``MSG_PEEK``) and judges it the
way bot management does at its crudest: a browser's hello carries GREASE values
(RFC 8701: ``0x?a?a`` cipher suites and extensions) and offers ``h2`` in ALPN;
Python's ssl module (httpx, requests) does neither. After the handshake it relays
browser requests to a backend ``FakeServer`` (so the fake index sites can sit
behind it) and answers the others 403. ``/dns-query`` is a DNS-over-HTTPS resolver
(RFC 8484) that knows the names given to it, for the DNS-block tests.

The certificates come from a CA made here, written to ``ca_path`` for
``ANIWORLD_CA_BUNDLE``.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import socket
import ssl
import struct
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HANDSHAKE_RECORD = 22
CLIENT_HELLO = 1
ALPN_EXTENSION = 16


@dataclass(frozen=True)
class ClientHello:
    cipher_suites: list[int]
    extensions: list[int]
    alpn: list[str]

    @property
    def has_grease(self) -> bool:
        return any(is_grease(value) for value in self.cipher_suites + self.extensions)

    @property
    def looks_like_a_browser(self) -> bool:
        return self.has_grease and "h2" in self.alpn


def is_grease(value: int) -> bool:
    """RFC 8701 reserves 0x0A0A, 0x1A1A … 0xFAFA."""
    return (value & 0x0F0F) == 0x0A0A and (value >> 8) == (value & 0xFF)


def parse_client_hello(data: bytes) -> ClientHello | None:
    """The parts of a TLS ClientHello record that tell browsers from scripts."""
    if len(data) < 9 or data[0] != HANDSHAKE_RECORD or data[5] != CLIENT_HELLO:
        return None
    body = data[9:]
    at = 2 + 32  # client_version, random
    at += 1 + body[at]  # session id
    (length,) = struct.unpack_from("!H", body, at)
    ciphers = [struct.unpack_from("!H", body, at + 2 + i)[0] for i in range(0, length, 2)]
    at += 2 + length
    at += 1 + body[at]  # compression methods
    extensions, alpn = [], []
    if at + 2 <= len(body):
        (total,) = struct.unpack_from("!H", body, at)
        at += 2
        end = min(at + total, len(body))
        while at + 4 <= end:
            kind, size = struct.unpack_from("!HH", body, at)
            extensions.append(kind)
            if kind == ALPN_EXTENSION:
                alpn = _alpn_names(body[at + 4 : at + 4 + size])
            at += 4 + size
    return ClientHello(ciphers, extensions, alpn)


def _alpn_names(data: bytes) -> list[str]:
    names, at = [], 2
    while at < len(data):
        size = data[at]
        names.append(data[at + 1 : at + 1 + size].decode("ascii", "replace"))
        at += 1 + size
    return names


class TestCertificates:
    """A CA and a server certificate for 127.0.0.1, localhost and ``names``."""

    def __init__(self, directory: Path, names: tuple[str, ...] = ()):
        now = datetime.datetime.now(datetime.UTC)
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Aniworld test CA")])
        ca = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
            )
            .sign(ca_key, hashes.SHA256())
        )
        key = ec.generate_private_key(ec.SECP256R1())
        alternative_names = [
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.DNSName("localhost"),
            *(x509.DNSName(name) for name in names),
        ]
        certificate = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(alternative_names), critical=False)
            .add_extension(
                x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
            .sign(ca_key, hashes.SHA256())
        )
        self.ca_path = directory / "test-ca.pem"
        self.ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
        self.cert_path = directory / "server.pem"
        self.cert_path.write_bytes(
            certificate.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )


class BrowserOnlyTLS:
    """``https://127.0.0.1:<port>``: 403 to non-browser handshakes, the backend to others."""

    def __init__(self, backend_url: str = "", names: tuple[str, ...] = ()):
        self._directory = tempfile.TemporaryDirectory(prefix="aniworld-tls-")
        self.certificates = TestCertificates(Path(self._directory.name), names)
        self.backend = urlsplit(backend_url) if backend_url else None
        # DNS names the /dns-query resolver answers with 127.0.0.1.
        self.dns_names: set[str] = set(names)
        self.dns_queries: list[str] = []
        self.hellos: list[ClientHello | None] = []
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._context.load_cert_chain(self.certificates.cert_path)
        # Only HTTP/1.1 behind the front: a browser offering h2 falls back to it.
        self._context.set_alpn_protocols(["http/1.1"])
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._stopped = threading.Event()

    @property
    def ca_path(self) -> Path:
        return self.certificates.ca_path

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self._listener.getsockname()[1]}"

    @property
    def port(self) -> int:
        return self._listener.getsockname()[1]

    def __enter__(self) -> BrowserOnlyTLS:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._stopped.set()
        self._listener.close()
        self._directory.cleanup()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection: socket.socket) -> None:
        connection.settimeout(5)
        try:
            hello = parse_client_hello(_peek_record(connection))
            self.hellos.append(hello)
            with self._context.wrap_socket(connection, server_side=True) as tls:
                head, body = _read_request(tls)
                if head is None:
                    return
                path = head.split(b" ", 2)[1].decode("latin-1")
                if urlsplit(path).path == "/dns-query":
                    tls.sendall(self._resolve(head, body, path))
                elif hello is None or not hello.looks_like_a_browser:
                    tls.sendall(_reply(403, b"<html><body>403 Forbidden</body></html>"))
                else:
                    tls.sendall(self._relay(head, body))
        except (OSError, ssl.SSLError, ValueError):
            return
        finally:
            connection.close()

    def _relay(self, head: bytes, body: bytes) -> bytes:
        if self.backend is None:
            return _reply(200, b"<html><body>hello, browser</body></html>")
        lines = [
            line
            for line in head.split(b"\r\n")
            if not line.lower().startswith((b"connection:", b"keep-alive:"))
        ]
        request = b"\r\n".join([*lines, b"Connection: close", b"", b""]) + body
        with socket.create_connection((self.backend.hostname, self.backend.port)) as upstream:
            upstream.sendall(request)
            chunks = []
            while chunk := upstream.recv(65536):
                chunks.append(chunk)
        answer = b"".join(chunks)
        reply_head, _, reply_body = answer.partition(b"\r\n\r\n")
        kept = [
            line
            for line in reply_head.split(b"\r\n")
            if not line.lower().startswith(b"connection:")
        ]
        return b"\r\n".join([*kept, b"Connection: close", b"", b""]) + reply_body

    def _resolve(self, head: bytes, body: bytes, path: str) -> bytes:
        """A DNS-over-HTTPS answer: an A record 127.0.0.1 for known names, NXDOMAIN else."""
        query = body
        if not query:
            encoded = parse_qs(urlsplit(path).query).get("dns", [""])[0]
            query = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        name, question_end = _question(query)
        kind = struct.unpack_from("!H", query, question_end - 4)[0]
        self.dns_queries.append(name)
        known = name.rstrip(".").lower() in self.dns_names
        answers = b""
        count = 0
        if known and kind == 1:
            answers = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([127, 0, 0, 1])
            count = 1
        flags = 0x8180 if known else 0x8183
        message = (
            query[:2]
            + struct.pack("!HHHHH", flags, 1, count, 0, 0)
            + query[12:question_end]
            + answers
        )
        return _reply(200, message, content_type=b"application/dns-message")


def _question(query: bytes) -> tuple[str, int]:
    labels, at = [], 12
    while query[at]:
        size = query[at]
        labels.append(query[at + 1 : at + 1 + size].decode("ascii"))
        at += 1 + size
    return ".".join(labels), at + 1 + 4


def _peek_record(connection: socket.socket) -> bytes:
    """The whole first TLS record, left in the socket for the handshake."""
    data = b""
    for _ in range(50):
        data = connection.recv(16384, socket.MSG_PEEK)
        if len(data) >= 5 and len(data) >= 5 + struct.unpack_from("!H", data, 3)[0]:
            break
        threading.Event().wait(0.01)
    return data


def _read_request(tls: ssl.SSLSocket) -> tuple[bytes | None, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = tls.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        body += tls.recv(65536)
    return head, body


def _reply(status: int, body: bytes, content_type: bytes = b"text/html; charset=utf-8") -> bytes:
    reason = {200: b"OK", 403: b"Forbidden"}.get(status, b"Status")
    return (
        b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
        % (status, reason, content_type, len(body))
        + body
    )
