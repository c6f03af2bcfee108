"""`manage.py serve` as a real process: both children run, restarts, clean stops."""

import contextlib
import os
import signal
import time

import pytest

from tests.processes import ServeProcess, alive, command_line

pytestmark = pytest.mark.slow


@pytest.fixture
def serve(tmp_path):
    app = ServeProcess(tmp_path).start()
    app.log_in()
    yield app
    app.stop(signal.SIGKILL)


def worker_ok(app):
    return app.get("/health/detailed").json()["checks"]["worker"]["status"] == "ok"


def test_serve_runs_the_web_server_and_the_worker_and_stops_both_on_sigterm(serve):
    serve.wait_until(lambda: worker_ok(serve), 60, "the worker reports in /health/detailed")
    children = serve.children()
    assert len(children) == 2
    started = time.monotonic()
    assert serve.stop(signal.SIGTERM) == 0
    assert time.monotonic() - started < 30
    assert not any(alive(pid) for pid in children)
    assert "Aniworld stopped." in serve.log()


def test_ctrl_c_stops_everything_and_exits_zero(serve):
    children = serve.children()
    assert serve.stop(signal.SIGINT) == 0
    assert not any(alive(pid) for pid in children)


def test_a_web_process_that_dies_is_restarted(serve):
    web = next(pid for pid in serve.children() if "daphne" in command_line(pid))
    os.kill(web, signal.SIGKILL)
    serve.wait_until(
        lambda: web not in serve.children() and len(serve.children()) == 2, 30, "restart"
    )
    serve.wait_until(lambda: serve.get("/health").status_code == 200, 30, "web answers again")
    assert "web exited unexpectedly" in serve.log()


def test_children_do_not_outlive_a_killed_supervisor(serve):
    children = serve.children()
    serve.process.kill()
    serve.process.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(alive(pid) for pid in children):
        time.sleep(0.2)
    assert not any(alive(pid) for pid in children)


def test_a_child_that_keeps_dying_stops_serve_with_a_clear_message(serve):
    web = next(pid for pid in serve.children() if "daphne" in command_line(pid))
    deadline = time.monotonic() + 60
    while serve.process.poll() is None and time.monotonic() < deadline:
        for pid in serve.children():
            if "qcluster" in command_line(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        time.sleep(0.3)
    assert serve.process.wait(timeout=40) == 1
    assert "the worker process keeps dying" in serve.log()
    assert not alive(web), "the web process must not outlive serve (no half-running app)"
