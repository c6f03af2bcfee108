"""One app per data dir (the instance lock) and the lifeline to the supervisor."""

import json
import os
import subprocess
import sys
import threading

import pytest

from aniworld.instance import (
    LIFELINE_VARIABLE,
    AlreadyRunning,
    InstanceLock,
    Lifeline,
    supervisor_gone,
)

URL = "http://127.0.0.1:8123/"


@pytest.fixture
def running(tmp_path):
    lock = InstanceLock(tmp_path)
    lock.acquire(URL, wait_for_leftovers=0)
    yield lock
    if lock.fd is not None:
        os.close(lock.fd)


def a_finished_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_second_instance_is_refused_naming_the_running_one(running, tmp_path):
    with pytest.raises(AlreadyRunning) as refused:
        InstanceLock(tmp_path).acquire("http://127.0.0.1:9999/", wait_for_leftovers=5)
    assert f"serve pid {os.getpid()} at {URL}" in str(refused.value)
    assert json.loads(running.path.read_text())["pid"] == os.getpid()


def test_serve_is_refused_while_the_download_command_runs_naming_it(tmp_path):
    downloading = InstanceLock(tmp_path)
    downloading.acquire("", wait_for_leftovers=0, command="download")
    try:
        with pytest.raises(AlreadyRunning) as refused:
            InstanceLock(tmp_path).acquire(URL, wait_for_leftovers=5)
        assert f"manage.py download (pid {os.getpid()}) is downloading" in str(refused.value)
    finally:
        downloading.release()
    serve = InstanceLock(tmp_path)
    serve.acquire(URL, wait_for_leftovers=0)  # free once it is done
    serve.release()


def test_the_lock_file_is_private_and_records_the_children(running):
    running.record_children([11, 12])
    assert json.loads(running.path.read_text()) == {
        "pid": os.getpid(),
        "command": "serve",
        "url": URL,
        "children": [11, 12],
    }
    assert oct(running.path.stat().st_mode & 0o777) == "0o600"


def test_the_leftovers_of_a_killed_instance_are_waited_for_then_named(running, tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        running.record = {"pid": a_finished_pid(), "url": URL, "children": [sleeper.pid]}
        running._write()
        with pytest.raises(AlreadyRunning) as refused:
            InstanceLock(tmp_path).acquire(URL, wait_for_leftovers=0.3)
        assert "an Aniworld that was killed" in str(refused.value)
        assert f"pids {sleeper.pid}" in str(refused.value)
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_new_instance_starts_once_the_leftovers_are_gone(running, tmp_path):
    running.record = {"pid": a_finished_pid(), "url": URL, "children": []}
    running._write()
    threading.Timer(0.3, os.close, [running.fd]).start()  # the last old child exits
    running.fd = None
    successor = InstanceLock(tmp_path)
    successor.acquire("http://127.0.0.1:9999/", wait_for_leftovers=10)
    assert json.loads(successor.path.read_text())["url"] == "http://127.0.0.1:9999/"
    os.close(successor.fd)


def test_the_lifeline_tells_children_when_serve_is_gone(monkeypatch):
    assert supervisor_gone() is False  # not started by serve: never "gone"
    lifeline = Lifeline()
    monkeypatch.setenv(LIFELINE_VARIABLE, lifeline.child_env[LIFELINE_VARIABLE])
    assert supervisor_gone() is False
    lifeline.cut()
    assert supervisor_gone() is True
    os.close(lifeline.read_fd)
