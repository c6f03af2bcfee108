"""One running app per data dir, and the line its processes hold to the supervisor.

``InstanceLock`` is an OS file lock (``flock``) on ``<data dir>/run/serve.lock``,
taken by ``manage.py serve`` before it touches Temp, the queue or the database,
and by ``manage.py download``, which downloads the queue in its own process and
so must not run beside a ``serve`` (whose start-up would return its item to the
queue and delete its partial file).
``serve`` hands the locked file to its children, so the lock lasts until the
last process of that app is gone: a ``serve`` started while the children of a
killed one still wind down waits for them (briefly), and one started beside a
running ``serve`` refuses at once, naming it. The lock file records who holds it.

The lifeline is a pipe whose write end only ``serve`` holds and whose read end
its children inherit. It turns readable (end of file) the moment ``serve``
stops or dies, however it dies, so the download worker stops at once instead of
downloading on (and fetching pages) for a supervisor that is gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import select
import time
from pathlib import Path

log = logging.getLogger(__name__)

LIFELINE_VARIABLE = "ANIWORLD_LIFELINE_FD"
POLL_SECONDS = 0.2
# How long a new holder waits for the children of a killed serve to finish stopping.
LEFTOVER_WAIT_SECONDS = 30.0


class AlreadyRunning(Exception):
    """Another Aniworld (or what is left of one) uses this data dir."""


def process_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


class InstanceLock:
    def __init__(self, data_dir: Path):
        self.path = Path(data_dir) / "run" / "serve.lock"
        self.fd: int | None = None
        self.record: dict = {}

    def acquire(self, url: str, wait_for_leftovers: float, command: str = "serve") -> None:
        """Take the lock for ``command`` (``serve`` at ``url``, or ``download``) or raise
        ``AlreadyRunning``.

        When the holder's supervisor is gone but its children still run (it was
        killed), wait up to ``wait_for_leftovers`` seconds for them to stop.
        """
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        deadline = time.monotonic() + wait_for_leftovers
        waiting = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = self._read(fd)
                supervisor = holder.get("pid")
                if (supervisor and process_alive(supervisor)) or time.monotonic() > deadline:
                    os.close(fd)
                    raise AlreadyRunning(self._describe(holder)) from None
                if not waiting:
                    log.warning(
                        "processes of a killed Aniworld (serve pid %s) still hold %s; "
                        "waiting up to %.0f s for them to stop",
                        supervisor,
                        self.path,
                        wait_for_leftovers,
                    )
                    waiting = True
                time.sleep(POLL_SECONDS)
        self.fd = fd
        self.record = {"pid": os.getpid(), "command": command, "url": url, "children": []}
        self._write()

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def record_children(self, pids: list[int]) -> None:
        self.record["children"] = pids
        self._write()

    def _write(self) -> None:
        data = json.dumps(self.record).encode()
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, data, 0)

    @staticmethod
    def _read(fd: int) -> dict:
        try:
            return json.loads(os.pread(fd, 4096, 0) or b"{}")
        except ValueError:
            return {}

    def _describe(self, holder: dict) -> str:
        supervisor, url = holder.get("pid"), holder.get("url", "?")
        if supervisor and process_alive(supervisor) and holder.get("command") == "download":
            return (
                f"manage.py download (pid {supervisor}) is downloading the queue of this data "
                f"dir ({self.path.parent.parent}). Wait for it to finish, or stop it (Ctrl+C, "
                f"or kill {supervisor}), then start again."
            )
        if supervisor and process_alive(supervisor):
            return (
                f"Aniworld is already running on this data dir ({self.path.parent.parent}): "
                f"serve pid {supervisor} at {url}. Stop it first (Ctrl+C, or kill {supervisor})."
            )
        leftovers = [pid for pid in holder.get("children", []) if process_alive(pid)]
        return (
            f"The processes of an Aniworld that was killed (serve pid {supervisor}, {url}) "
            f"still run and hold {self.path}: pids "
            f"{', '.join(map(str, leftovers)) or 'unknown'}. Wait for them to stop, or stop them, "
            "then start again."
        )


class Lifeline:
    """The supervisor's end: children get ``read_fd`` (``pass_fds``) and ``child_env``."""

    def __init__(self) -> None:
        self.read_fd, self.write_fd = os.pipe()

    @property
    def child_env(self) -> dict[str, str]:
        return {LIFELINE_VARIABLE: str(self.read_fd)}

    def cut(self) -> None:
        """Tell every child at once that the app is stopping."""
        if self.write_fd is not None:
            os.close(self.write_fd)
            self.write_fd = None


def supervisor_gone() -> bool:
    """True once the ``serve`` that started this process stopped or died (never without one)."""
    fd = os.environ.get(LIFELINE_VARIABLE, "")
    if not fd.isdigit():
        return False
    with contextlib.suppress(OSError, ValueError):
        readable, _, _ = select.select([int(fd)], [], [], 0)
        return bool(readable)
    return False
