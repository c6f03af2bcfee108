"""`manage.py serve`: the whole app in one command.

Runs the start-up sequence, then supervises two child processes:

* ``web``: daphne serving HTTP and WebSockets (``aniworld.asgi``),
* ``worker``: the django-q2 cluster (the download worker and the scheduler).

A child that dies unexpectedly is restarted (at most ``MAX_RESTARTS`` times in
``RESTART_WINDOW`` seconds); past that, ``serve`` stops everything and exits 1
with a message, so there is never a half-running app. Ctrl+C or SIGTERM stops
both children gracefully (SIGTERM, then SIGKILL after the shutdown budget) and
exits 0. Each child runs in its own process group and dies with ``serve``
(``PR_SET_PDEATHSIG``), so a killed supervisor leaves no orphans behind.

Before anything else ``serve`` takes the data dir's instance lock, which its
children hold too (see ``aniworld.instance``): a second ``serve`` on the same
data dir refuses to start, and one started after a ``kill -9`` waits until the
old children are gone. The children watch the lifeline, so a download stops the
moment ``serve`` stops or dies.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from aniworld import startup
from aniworld.instance import LEFTOVER_WAIT_SECONDS, AlreadyRunning, InstanceLock, Lifeline
from aniworld.tempdir import UnsafeTempDir

log = logging.getLogger("aniworld.serve")

SHUTDOWN_BUDGET_SECONDS = 30.0
MAX_RESTARTS = 3
RESTART_WINDOW = 60.0
POLL_SECONDS = 0.2


def die_with_parent() -> None:
    """In the child: get SIGTERM when the supervisor dies, whatever the cause."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    restarts: list[float] = field(default_factory=list)

    def start(self, lock: InstanceLock, lifeline: Lifeline) -> None:
        self.process = subprocess.Popen(
            self.argv,
            start_new_session=True,  # Ctrl+C reaches only the supervisor
            preexec_fn=die_with_parent,
            # The lock lives as long as the last child; the lifeline tells them serve is gone.
            pass_fds=(lock.fd, lifeline.read_fd),
            env={**os.environ, **lifeline.child_env},
        )
        log.info("started %s (pid %d)", self.name, self.process.pid)

    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def terminate(self) -> None:
        """Ask the child's main process to stop; it stops its own helpers in order."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def kill_group(self) -> None:
        """SIGKILL the child's whole process group, helpers included."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def may_restart(self, now: float) -> bool:
        self.restarts = [t for t in self.restarts if now - t < RESTART_WINDOW]
        return len(self.restarts) < MAX_RESTARTS


class Command(BaseCommand):
    help = "Run the web server and the worker cluster together (what `make run` starts)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.HOST)
        parser.add_argument("--port", type=int, default=settings.PORT)

    def handle(self, *args, **options):
        self.stopping = False
        url = f"http://{options['host']}:{options['port']}/"
        self.lock = InstanceLock(settings.DATA_DIR)
        try:
            self.lock.acquire(url, wait_for_leftovers=LEFTOVER_WAIT_SECONDS)
            startup.run(stdout=self.stdout)
        except (AlreadyRunning, UnsafeTempDir) as exc:
            raise CommandError(str(exc)) from exc
        self.lifeline = Lifeline()
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        children = [
            Child(
                "web",
                [
                    python,
                    "-m",
                    "daphne",
                    "--bind",
                    options["host"],
                    "--port",
                    str(options["port"]),
                    "--application-close-timeout",
                    "5",
                    "aniworld.asgi:application",
                ],
            ),
            Child("worker", [python, manage, "qcluster"]),
        ]
        signal.signal(signal.SIGTERM, self._request_stop)
        signal.signal(signal.SIGINT, self._request_stop)
        for child in children:
            self._start(child, children)
        self.stdout.write(f"Aniworld {settings.VERSION} on {url} (Ctrl+C to stop)")
        failure = self._supervise(children)
        self._shutdown(children)
        if failure:
            raise CommandError(failure)
        self.stdout.write("Aniworld stopped.")

    def _start(self, child: Child, children: list[Child]) -> None:
        child.start(self.lock, self.lifeline)
        self.lock.record_children([c.process.pid for c in children if c.process])

    def _request_stop(self, signum, frame) -> None:
        if not self.stopping:
            log.info("received %s, shutting down", signal.Signals(signum).name)
        self.stopping = True

    def _supervise(self, children: list[Child]) -> str | None:
        """Watch the children until asked to stop; return a failure message or None."""
        while not self.stopping:
            time.sleep(POLL_SECONDS)
            for child in children:
                code = child.exit_code()
                if code is None or self.stopping:
                    continue
                now = time.monotonic()
                if not child.may_restart(now):
                    return (
                        f"the {child.name} process keeps dying (exit code {code}, "
                        f"{MAX_RESTARTS} restarts in {RESTART_WINDOW:.0f} s); stopping Aniworld"
                    )
                log.error("%s exited unexpectedly with code %s; restarting", child.name, code)
                child.restarts.append(now)
                # Its helpers (the cluster's worker processes) must not live on beside the new one.
                child.kill_group()
                if child.name == "worker":
                    startup.recover_after_worker_crash()
                self._start(child, children)
        return None

    def _shutdown(self, children: list[Child]) -> None:
        self.lifeline.cut()
        for child in children:
            child.terminate()
        deadline = time.monotonic() + SHUTDOWN_BUDGET_SECONDS
        while time.monotonic() < deadline and any(c.exit_code() is None for c in children):
            time.sleep(POLL_SECONDS)
        for child in children:
            if child.exit_code() is None:
                log.warning(
                    "%s did not stop within %.0f s; killing it", child.name, SHUTDOWN_BUDGET_SECONDS
                )
            # Also ends grandchildren (the cluster's worker processes) left in the group.
            child.kill_group()
        startup.after_shutdown()
