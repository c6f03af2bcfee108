"""Start the real app (`manage.py serve`) in a subprocess for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from django.conf import settings

from aniworld.management.commands.serve import die_with_parent

BASE_DIR = Path(__file__).resolve().parent.parent
OWNER_PASSWORD = "Serve-Test-Pass-1"
# `manage.py serve` with the supervisor's crash-loop guard widened (first argument:
# restarts allowed per window), for fault tests that kill its children on purpose.
SERVE_WITH_RESTART_LIMIT = (
    "import sys, django; django.setup(); "
    "from aniworld.management.commands import serve; "
    "serve.MAX_RESTARTS = int(sys.argv.pop(1)); "
    "from django.core.management import execute_from_command_line; "
    "execute_from_command_line(['manage.py', *sys.argv[1:]])"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(p) for p in text.split()]


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children first found, then theirs)."""
    found, pending = [], children_of(pid)
    while pending:
        child = pending.pop(0)
        found.append(child)
        pending.extend(children_of(child))
    return found


def command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return state != "Z"


class ServeProcess:
    """``manage.py serve`` on a free port with its own data and temp dirs.

    ``via_make``: started as the owner starts it, ``make run`` (minus the install
    step: the venv is the one running the tests); ``process`` is then make.
    """

    def __init__(
        self,
        tmp_path: Path,
        env: dict[str, str] | None = None,
        restart_limit: int | None = None,
        via_make: bool = False,
    ):
        self.port = free_port()
        self.restart_limit = restart_limit
        self.via_make = via_make
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = tmp_path / "data"
        self.temp_dir = tmp_path / "Temp"
        self.log_path = tmp_path / "serve.log"
        self.env = {
            **{
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("PYTEST", "MAKE", "MFLAGS"))
            },
            "DJANGO_SETTINGS_MODULE": "aniworld.settings",
            "ANIWORLD_DATA_DIR": str(self.data_dir),
            "ANIWORLD_TEMP_DIR": str(self.temp_dir),
            "PYTHONUNBUFFERED": "1",
            # The fakes on 127.0.0.1 the test allowed (``running_hoster_world`` in the
            # environment, the ``hosters`` fixture in the settings), as a user lists
            # trusted LAN hosts.
            "ANIWORLD_ALLOW_PRIVATE_HOSTS": ",".join(
                dict.fromkeys(
                    filter(
                        None,
                        [
                            *os.environ.get("ANIWORLD_ALLOW_PRIVATE_HOSTS", "").split(","),
                            *settings.ANIWORLD_ALLOW_PRIVATE_HOSTS,
                        ],
                    )
                )
            ),
            **(env or {}),
        }
        self.process: subprocess.Popen | None = None
        self.token = ""

    def start(self, timeout: float = 90) -> ServeProcess:
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            self.argv(),
            # A test killed by its timeout must not leave the app running.
            preexec_fn=die_with_parent,
            cwd=BASE_DIR,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.wait_until(lambda: self.get("/health").status_code == 200, timeout, "web answers")
        return self

    def argv(self) -> list[str]:
        if self.via_make:
            venv_bin = Path(sys.executable).parent
            return [
                "make",
                "-s",
                "-o",
                ".venv/.deps-run",
                "run",
                f"PORT={self.port}",
                f"BIN={venv_bin}",
            ]
        serve = ["manage.py"]
        if self.restart_limit is not None:
            serve = ["-c", SERVE_WITH_RESTART_LIMIT, str(self.restart_limit)]
        return [sys.executable, *serve, "serve", "--port", str(self.port)]

    def get(self, path: str, **kwargs) -> httpx.Response:
        return httpx.get(self.url + path, timeout=10, headers=self._auth(), **kwargs)

    def post(self, path: str, **kwargs) -> httpx.Response:
        return httpx.post(self.url + path, timeout=30, headers=self._auth(), **kwargs)

    def patch(self, path: str, **kwargs) -> httpx.Response:
        return httpx.patch(self.url + path, timeout=30, headers=self._auth(), **kwargs)

    def log_in(self, password: str = OWNER_PASSWORD, **setup) -> str:
        """Set the master password (first time) and keep an access token for later calls."""
        httpx.post(
            f"{self.url}/api/auth/setup", json={"master_password": password, **setup}, timeout=30
        )
        response = httpx.post(f"{self.url}/api/auth/login", json={"password": password}, timeout=30)
        response.raise_for_status()
        self.token = response.json()["access_token"]
        return self.token

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def wait_until(self, condition, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process and self.process.poll() is not None:
                raise AssertionError(
                    f"serve exited early ({self.process.returncode}):\n{self.log()}"
                )
            try:
                if condition():
                    return
            except (httpx.HTTPError, OSError, ValueError, KeyError):
                pass
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting until {what}:\n{self.log()}")

    def children(self) -> list[int]:
        return children_of(self.process.pid) if self.process else []

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 40) -> int:
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self._log.close()
        return code

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
