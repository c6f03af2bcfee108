"""The login limit is one atomic count, whatever number of threads or processes ask at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.db import close_old_connections, connection
from rest_framework.test import APIClient

from accounts.ratelimit import LOGIN_LIMIT, SETUP_LIMIT, hit
from accounts.tests.conftest import mid_window
from conftest import OWNER_PASSWORD

BASE_DIR = Path(__file__).resolve().parents[2]


def parallel(count: int, call):
    """``call()`` from ``count`` threads released at the same moment; their results."""
    start = threading.Barrier(count)

    def run(_):
        start.wait()
        try:
            return call()
        finally:
            close_old_connections()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


# SQLite's in-memory test database locks whole tables between threads; the default
# set-up (a SQLite file) is shown by the two-process test below. With Redis the
# count is Redis's, and these run.
threads_share_the_database = pytest.mark.skipif(
    connection.vendor == "sqlite" and not settings.REDIS_URL,
    reason="the in-memory test database cannot be shared by threads",
)


@threads_share_the_database
@pytest.mark.django_db(transaction=True)
def test_of_sixty_parallel_wrong_passwords_exactly_five_are_checked(configured):
    def wrong_login():
        return (
            APIClient()
            .post("/api/auth/login", {"password": "Wrong-Passw0rd"}, format="json")
            .status_code
        )

    with time_machine.travel(mid_window(), tick=False):
        statuses = parallel(60, wrong_login)
    assert statuses.count(401) == LOGIN_LIMIT.requests
    assert statuses.count(429) == 60 - LOGIN_LIMIT.requests


@pytest.mark.parametrize("backend", ["database", "redis"])
@pytest.mark.django_db(transaction=True)
def test_parallel_hits_from_threads_pass_exactly_the_limit(backend, settings):
    if backend == "redis" and not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set (make test-services runs this)")
    if backend == "database" and connection.vendor == "sqlite":
        pytest.skip("the in-memory test database cannot be shared by threads")
    if backend == "database":
        settings.REDIS_URL = ""  # count in the database although Redis is there
    with time_machine.travel(mid_window(), tick=False):
        results = parallel(40, lambda: hit(LOGIN_LIMIT, "10.1.1.1"))
    assert results.count(None) == LOGIN_LIMIT.requests


def test_setup_attempts_do_not_eat_the_login_budget(db, in_one_window):
    client = APIClient()
    for _ in range(SETUP_LIMIT.requests):
        weak = client.post("/api/auth/setup", {"master_password": "weak"}, format="json")
        assert weak.status_code == 422
    refused = client.post("/api/auth/setup", {"master_password": "weak"}, format="json")
    assert refused.status_code == 429
    strong = APIClient().post(
        "/api/auth/setup",
        {"master_password": OWNER_PASSWORD},
        format="json",
        REMOTE_ADDR="10.9.9.9",
    )
    assert strong.status_code == 201
    login = client.post("/api/auth/login", {"password": OWNER_PASSWORD}, format="json")
    assert login.status_code == 200


# The production settings (a SQLite file), with the test suite's quick password hasher.
SET_UP = """
import django
django.setup()
from django.conf import settings
settings.PASSWORD_HASHERS = ["aniworld.settings_test.QuickPBKDF2PasswordHasher"]
from django.core.management import call_command
call_command("migrate", interactive=False, verbosity=0)
from accounts import owner
owner.set_master_password("Correct-Horse-9")
"""

WRONG_LOGINS_FROM_THREADS = """
import json, sys, threading, time
from pathlib import Path
import django
django.setup()
from django.conf import settings
settings.PASSWORD_HASHERS = ["aniworld.settings_test.QuickPBKDF2PasswordHasher"]
from django.test import Client
from accounts import ratelimit
ready_dir, name, counted_at = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])

class FrozenClock:  # both processes count in one window, whenever they run
    @staticmethod
    def time():
        return counted_at

ratelimit.time = FrozenClock
# Both processes start their threads together, once both are ready.
(ready_dir / name).touch()
while len(list(ready_dir.iterdir())) < 2:
    time.sleep(0.01)
statuses = []
def one():
    response = Client().post(
        "/api/auth/login", {"password": "Wrong-Passw0rd"}, content_type="application/json"
    )
    statuses.append(response.status_code)
threads = [threading.Thread(target=one) for _ in range(30)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps(statuses))
"""


def python(code: str, *args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def output_of(process: subprocess.Popen):
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return out


@pytest.mark.slow
def test_sixty_wrong_passwords_from_threads_of_two_processes_on_sqlite_check_exactly_five(
    tmp_path,
):
    """The default set-up: a SQLite file shared by the web and the worker process."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DJANGO_SETTINGS_MODULE": "aniworld.settings",
        "ANIWORLD_DATA_DIR": str(tmp_path / "data"),
        "ANIWORLD_TEMP_DIR": str(tmp_path / "Temp"),
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    output_of(python(SET_UP, env=env))
    ready = tmp_path / "ready"
    ready.mkdir()
    counted_at = str(mid_window())
    processes = [
        python(WRONG_LOGINS_FROM_THREADS, str(ready), name, counted_at, env=env)
        for name in ("a", "b")
    ]
    statuses = [status for process in processes for status in json.loads(output_of(process))]
    assert len(statuses) == 60
    assert statuses.count(401) == LOGIN_LIMIT.requests
    assert statuses.count(429) == 60 - LOGIN_LIMIT.requests
