"""A tiny threaded HTTP server on 127.0.0.1 for imitating remote sites in tests.

Routes map (method, regex on the path) to a handler that receives a ``Request``
and returns a ``Reply``. Handlers can be swapped while the server runs, which
is how tests break a site ("answer 500 once", "serve a challenge page").

    server = FakeServer()
    server.route("GET", r"/anime/stream/(?P<key>[a-z0-9-]+)", lambda req: Reply(200, "<html>"))
    server.start(); ...; server.stop()
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8", "replace"))

    def arg(self, name: str, default: str = "") -> str:
        values = self.query.get(name) or self.form().get(name)
        return values[0] if values else default


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"
    # A file served with Range support instead of ``body``.
    file: Path | None = None
    # Drop the connection after this many body bytes (simulates a cut).
    cut_after: int | None = None
    # Serve ``file`` at about this many bytes a second (a slow hoster).
    bytes_per_second: int | None = None
    # Called with each chunk's size after sending it: a pace shared by several
    # replies (one link's bandwidth for parallel requests).
    throttle: Callable[[int], None] | None = None


Handler = Callable[[Request], Reply]


class _QuietServer(ThreadingHTTPServer):
    """A client hanging up (a cancelled download, a closed keep-alive) is not an error."""

    def handle_error(self, request, client_address) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class FakeServer:
    def __init__(self, host: str = "127.0.0.1"):
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.requests: list[Request] = []
        # Serve the routes under this path too (a mirror at http://host:port/aw).
        self.path_prefix = ""
        self._server = _QuietServer((host, 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        """Add a route; a later route for the same pattern wins (replaces)."""
        compiled = re.compile(f"^{pattern}$")
        self.routes = [
            r for r in self.routes if not (r[0] == method and r[1].pattern == compiled.pattern)
        ]
        self.routes.insert(0, (method, compiled, handler))

    def start(self) -> FakeServer:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _dispatch(self, request: Request) -> Reply:
        if self.path_prefix and request.path.startswith(self.path_prefix + "/"):
            request.path = request.path[len(self.path_prefix) :]
        self.requests.append(request)
        for method, pattern, handler in self.routes:
            if method != request.method:
                continue
            match = pattern.match(request.path)
            if match:
                request.params = match.groupdict()
                return handler(request)
        return Reply(404, "<html><body>Not found</body></html>")

    def _handler_class(self):
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in separate writes; with Nagle on, a small body
            # waits for the client's delayed ACK (40 ms a request on keep-alive), which
            # real servers (nginx's tcp_nodelay) do not make clients wait.
            disable_nagle_algorithm = True

            def log_message(self, *args):  # keep test output quiet
                pass

            def _handle(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                reply = server._dispatch(request)
                self._send(request, reply)

            def _send(self, request: Request, reply: Reply):
                if reply.file is not None:
                    self._send_file(request, reply)
                    return
                payload = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command != "HEAD":
                    self._write(payload, reply.cut_after)

            def _send_file(self, request: Request, reply: Reply):
                size = reply.file.stat().st_size
                start, end = 0, size - 1
                status = 200
                match = re.match(r"bytes=(\d*)-(\d*)", request.headers.get("range", ""))
                if match and (match.group(1) or match.group(2)):
                    if match.group(1):
                        start = int(match.group(1))
                        end = int(match.group(2)) if match.group(2) else size - 1
                    else:
                        start = size - int(match.group(2))
                    end = min(end, size - 1)
                    if start >= size:
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{size}")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    status = 206
                self.send_response(status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", str(end - start + 1))
                if status == 206:
                    self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if self.command == "HEAD":
                    return
                chunk_size, pause = 1024 * 1024, 0.0
                if reply.throttle:
                    chunk_size = 256 * 1024
                if reply.bytes_per_second:  # a tenth of a second's worth, then a pause
                    chunk_size, pause = max(1, reply.bytes_per_second // 10), 0.1
                with open(reply.file, "rb") as handle:
                    handle.seek(start)
                    remaining = end - start + 1
                    sent = 0
                    while remaining > 0:
                        chunk = handle.read(min(chunk_size, remaining))
                        if not chunk:
                            break
                        if reply.cut_after is not None and sent + len(chunk) > reply.cut_after:
                            self.wfile.write(chunk[: max(0, reply.cut_after - sent)])
                            self.close_connection = True
                            return
                        self.wfile.write(chunk)
                        if reply.throttle:
                            reply.throttle(len(chunk))
                        sent += len(chunk)
                        remaining -= len(chunk)
                        if pause and remaining > 0:
                            self.wfile.flush()
                            time.sleep(pause)

            def _write(self, payload: bytes, cut_after: int | None):
                if cut_after is not None and cut_after < len(payload):
                    self.wfile.write(payload[:cut_after])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(payload)

            do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = _handle

        return _Handler
