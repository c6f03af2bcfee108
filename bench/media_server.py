"""The files of a folder over HTTP on 127.0.0.1, with Range support, in a process of their own.

The download benchmarks serve their media with the test suite's ``FakeServer``
from a separate process, so that the server competes with neither the client
under test nor the reference tool for the interpreter, and both get the same
server. ``serve(folder)`` starts it and hands back the process and base URL;
run directly, it serves until stdin closes:

    .venv/bin/python bench/media_server.py FOLDER
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script (its own process), the repository root is not on the path.
sys.path.insert(0, str(ROOT))

from tests.fakes.server import FakeServer, Reply  # noqa: E402


def serve(folder: Path, bytes_per_second: int | None = None) -> tuple[subprocess.Popen[str], str]:
    """Start serving ``folder`` (at most ``bytes_per_second`` for all requests together,
    like a real link, when given); stop the server by closing its stdin (``stop``).

    Its stderr is dropped: clients that hang up mid-transfer (a cancelled fetch) make
    the standard library print a traceback for each.
    """
    process = subprocess.Popen(
        [sys.executable, __file__, str(folder), str(bytes_per_second or 0)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    if not url.startswith("http://"):
        process.kill()
        raise RuntimeError(
            f"the media server did not start ({url!r}); run bench/media_server.py to see why"
        )
    return process, url


def stop(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.close()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Link:
    """One link's bandwidth, shared by every request: parallel fetches split it."""

    def __init__(self, bytes_per_second: int):
        self.bytes_per_second = bytes_per_second
        self.lock = threading.Lock()
        self.free_at = time.monotonic()

    def send(self, size: int) -> None:
        """Wait until ``size`` more bytes fit into the link's pace."""
        with self.lock:
            now = time.monotonic()
            self.free_at = max(now, self.free_at) + size / self.bytes_per_second
            wait = self.free_at - now
        if wait > 0:
            time.sleep(wait)


def main(folder: Path, bytes_per_second: int | None) -> None:
    content_types = {
        ".m3u8": "application/vnd.apple.mpegurl",
        ".ts": "video/mp2t",
        ".html": "text/html; charset=utf-8",
    }

    def send(request) -> Reply:
        path = (folder / request.params["name"]).resolve()
        if path.parent != folder or not path.is_file():
            return Reply(404, "not found")
        return Reply(
            file=path,
            content_type=content_types.get(path.suffix, "video/mp4"),
            throttle=link.send if link else None,
        )

    link = Link(bytes_per_second) if bytes_per_second else None
    with FakeServer() as server:
        server.route("GET", r"/(?P<name>[^/]+)", send)
        server.route("HEAD", r"/(?P<name>[^/]+)", send)
        print(server.url, flush=True)
        sys.stdin.read()  # until the benchmark closes our stdin


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), int(sys.argv[2]) if len(sys.argv) > 2 else None)
