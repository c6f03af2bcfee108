"""`manage.py serve` as a real process: both children run, restarts, clean stops."""

import contextlib
import os
import shutil
import signal
import subprocess
import time

import pytest

from tests.processes import BASE_DIR, ServeProcess, alive, command_line, descendants

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


def run_to_exit(app: ServeProcess, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        app.argv(), cwd=BASE_DIR, env=app.env, capture_output=True, text=True, timeout=timeout
    )


def test_a_second_serve_on_the_same_data_dir_refuses_before_touching_anything(serve, tmp_path):
    partial = serve.temp_dir / "item-99.mp4.part"  # a download of the running app
    partial.write_bytes(b"half an episode")
    second = ServeProcess(tmp_path, env=serve.env)
    result = run_to_exit(second)
    assert result.returncode == 1
    assert (
        f"Aniworld is already running on this data dir ({serve.data_dir}): "
        f"serve pid {serve.process.pid} at http://127.0.0.1:{serve.port}/"
    ) in result.stderr
    assert partial.read_bytes() == b"half an episode"
    assert "Address already in use" not in result.stderr
    assert serve.get("/health").status_code == 200


def test_serve_refuses_a_temp_dir_inside_the_library_and_deletes_nothing(tmp_path):
    library = tmp_path / "library"
    episode = library / "Naruto (2002)" / "Season 01" / "Naruto - S01E01.mp4"
    episode.parent.mkdir(parents=True)
    episode.write_bytes(b"an episode")
    app = ServeProcess(
        tmp_path, env={"ANIME_DIRECTORY": str(library), "ANIWORLD_TEMP_DIR": str(library)}
    )
    result = run_to_exit(app)
    assert result.returncode == 1
    assert (
        f"the temp dir (ANIWORLD_TEMP_DIR) {library.resolve()} is the library {library.resolve()}"
    ) in result.stderr
    assert episode.read_bytes() == b"an episode"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_sigterm_to_make_run_stops_serve_and_all_its_children(tmp_path):
    app = ServeProcess(tmp_path, via_make=True).start()
    try:
        app.wait_until(lambda: len(descendants(app.process.pid)) >= 3, 60, "serve and children")
        tree = descendants(app.process.pid)
        app.process.send_signal(signal.SIGTERM)
        app.process.wait(timeout=40)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(pid) for pid in tree):
            time.sleep(0.1)
        assert not [pid for pid in tree if alive(pid)], app.log()
        assert "Aniworld stopped." in app.log()
    finally:
        app.stop(signal.SIGKILL)
