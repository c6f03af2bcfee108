"""Fixtures shared by every app's tests."""

from __future__ import annotations

import logging
import os
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.signing import SignedPackage
from django_q.status import Stat, Status

from aniworld import config
from aniworld.http import reset_clients
from tests.factories import add_series

pytest_plugins = ["tests.fakes.fixtures", "tests.browser"]


@pytest.fixture(autouse=True)
def _isolated_state(monkeypatch):
    """Each test starts with no config.json, an empty cache and fresh HTTP clients, and
    leaves the log levels as it found them (a settings change applies a new level)."""
    log_levels = {name: logging.getLogger(name).level for name in ("", "aniworld")}
    for variable in config.ENV_OVERRIDES:
        monkeypatch.delenv(variable, raising=False)
    settings.ANIWORLD_CONFIG_FILE.unlink(missing_ok=True)
    cache.clear()
    reset_clients()
    yield
    settings.ANIWORLD_CONFIG_FILE.unlink(missing_ok=True)
    reset_clients()
    for name, level in log_levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def library_root(tmp_path, monkeypatch):
    """An empty library directory configured as the anime directory."""
    root = tmp_path / "library"
    root.mkdir()
    monkeypatch.setenv("ANIME_DIRECTORY", str(root))
    return root


OWNER_PASSWORD = "Correct-Horse-9"


@pytest.fixture
def configured(db):
    """An installation whose owner has chosen the master password."""
    from accounts import owner

    owner.set_master_password(OWNER_PASSWORD)
    return owner.owner_user()


@pytest.fixture
def owner_client(client, configured):
    """A browser session logged in as the owner."""
    client.force_login(configured)
    return client


@pytest.fixture
def api(configured):
    """An API client sending the owner's JWT access token."""
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(configured).access_token}"
    )
    return client


@pytest.fixture
def worker_cluster():
    """A django-q2 worker cluster reporting in, as its sentinel does every cycle (a signed
    status in the broker), without starting one: /health/detailed's worker and scheduler
    checks turn green. The autouse cache reset of the next test takes the report away."""
    status = Status(pid=os.getpid(), cluster_id=uuid.uuid4())
    status.status = Conf.IDLE
    status.workers = [os.getpid()]
    get_broker().set_stat(Stat.get_key(status.cluster_id), SignedPackage.dumps(status, True), 300)
    return status


@pytest.fixture
def series(api, world, library_root):
    """Attack on Titan from the fake aniworld.to, added through the API with its episodes
    (its links lead to the fake hosters); the series' detail as the API answered it."""
    return add_series(api)
