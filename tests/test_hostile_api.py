"""Schemathesis against our own API schema: no 5xx, and every answer matches the schema.

Every operation of the schema that ``/api/schema/`` serves is fuzzed in process
(WSGI) with the owner's Bearer token: valid and invalid parameters and bodies,
in JSON, form and multipart encodings. Each answer must not be a server error
and must match the schema, errors included (they are documented as the error
contract's shape). Half of the generated path parameters and bodies name things
that exist (the series in the library, its queue item), so the fuzzer gets past
the 404s into the code that does the work.

Each example runs in a savepoint that is rolled back afterwards, so destructive
operations (deleting the series, clearing the queue) meet the same library every
time. Background work (refreshes, scans, downloads) is scheduled on commit,
which never comes: the fuzzer tests the API, other tests the work behind it.
The index sites are the local fakes.

The operations that end or start a session (logout, password change, setup)
revoke the token the fuzzer runs with or need an installation without a
password; they are fuzzed on their own, each example with a fresh token, the
config file restored afterwards, and setup on an installation not set up yet.
Nothing is excluded.
"""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from aniworld.http import reset_clients
from conftest import OWNER_PASSWORD
from downloads.models import DownloadItem
from library import tasks
from library.models import Series
from tests.factories import add_series, queue_episode
from tests.fakes.tmdb import FAKE_API_KEY, FakeTmdb

pytestmark = pytest.mark.django_db

SERIES_KEY = "attack-on-titan"
OTHER_SERIES_KEY = "hells-paradise"  # on the fake index, not in the library
EXAMPLES = 20
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20260914,
        "generation": {"mode": "all", "max-examples": EXAMPLES, "deterministic": True},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
    }
)
CHECKS = [not_a_server_error, response_schema_conformance]

# What exists while an example runs; filled by the ``app`` fixture.
existing: dict[str, Any] = {}


def served_schema() -> dict:
    """What ``/api/schema/`` serves (``test_the_fuzzed_schema_is_the_served_one`` holds
    them equal), built directly: the test ids are needed before any request can be made."""
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


everything = schemathesis.openapi.from_dict(served_schema(), config=CONFIG)
SESSION_PATHS = ("/api/auth/logout", "/api/auth/password", "/api/auth/setup")
schema = everything.exclude(path=list(SESSION_PATHS))
session_schema = everything.include(path=list(SESSION_PATHS))


def _with_existing(values: Any, *, body: bool) -> Any:
    """Parameters or a body, with the names we know replaced by things that exist (in a
    body, "key" is a series the index has and the library has not: adding it works)."""
    if not isinstance(values, dict) or not existing:
        return values
    known = {
        "key": OTHER_SERIES_KEY if body else existing["key"],
        "series_key": existing["key"],
        "item_id": existing["item_id"],
        "keys": [existing["key"]],
        "old_password": OWNER_PASSWORD,
        "master_password": OWNER_PASSWORD,
        "new_password": "Brand-New-Horse-7",
    }
    return {name: known.get(name, value) for name, value in values.items()}


@everything.hook
def before_generate_path_parameters(context, strategy):
    return st.one_of(strategy, strategy.map(lambda values: _with_existing(values, body=False)))


@everything.hook
def before_generate_body(context, strategy):
    known = strategy.map(lambda values: _with_existing(values, body=True))
    return st.one_of(strategy, known).map(_library_inside_tmp)


def _library_inside_tmp(body: Any) -> Any:
    """Setup creates the library directory it is given: never anywhere but in the
    test's own directory (relative and empty paths stay, they are refused before)."""
    if not isinstance(body, dict) or not isinstance(body.get("anime_directory"), str):
        return body
    if not existing or not Path(body["anime_directory"]).expanduser().is_absolute():
        return body
    return {**body, "anime_directory": str(existing["tmp"] / "chosen-library")}


class InTestTransaction:
    """Django's WSGI app, for requests that run inside the test's transaction.

    A WSGI request starts and ends with ``close_old_connections``, which drops a
    connection whose autocommit is off, as it is inside the test's transaction; on
    PostgreSQL every later query would then meet a closed connection (SQLite's
    in-memory test database is never closed, which hides it). Like Django's own test
    client, each request runs with that handler disconnected, request by request:
    the test client connects it again after each of its requests, so switching it
    off once for the whole test does not last.
    """

    def __init__(self):
        self.app = get_wsgi_application()

    def __call__(self, environ, start_response):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            response = self.app(environ, start_response)
            try:
                body = b"".join(response)
            finally:
                response.close()  # sends request_finished, as a WSGI server would
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
        return [body]


@pytest.fixture
def wsgi_app():
    return InTestTransaction()


def bearer_of(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}


@pytest.fixture
def bearer(configured) -> dict[str, str]:
    return bearer_of(configured)


@pytest.fixture(scope="module")
def running_tmdb():
    with FakeTmdb() as fake:
        yield fake


@pytest.fixture
def tmdb(running_tmdb, settings, monkeypatch):
    running_tmdb.reset()
    settings.TMDB_API_URL = running_tmdb.api_url
    settings.TMDB_IMAGE_URL = running_tmdb.image_url
    monkeypatch.setenv("TMDB_API_KEY", FAKE_API_KEY)
    reset_clients()
    yield running_tmdb
    reset_clients()


@pytest.fixture
def app(library_root, wsgi_app, world, sto_site, tmdb, api, tmp_path, settings):
    """The app, with a loaded series in the library and one of its episodes queued."""
    settings.BACKUP_DIR = tmp_path / "backups"
    add_series(api, SERIES_KEY)
    tasks.refresh_series(Series.objects.get(key=SERIES_KEY).id)
    api.post("/api/queue/stop")
    item = queue_episode(api, 1, 1, key=SERIES_KEY)
    existing.update(key=SERIES_KEY, item_id=item.id, tmp=tmp_path)
    yield wsgi_app
    existing.clear()


def test_the_fuzzed_schema_is_the_served_one(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(served_schema()))


def test_errors_are_documented_as_the_error_contract():
    document = served_schema()
    assert document["components"]["schemas"]["Error"]["required"] == [
        "success",
        "error",
        "message",
        "details",
        "request_id",
    ]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert "default" in operation["responses"], f"{method.upper()} {path}"


@contextmanager
def fresh_state():
    """One example's world, undone afterwards: the database (a rolled back savepoint),
    the config file, the log level a settings change applies, the rate limits."""
    config_file = django_settings.ANIWORLD_CONFIG_FILE
    saved = config_file.read_bytes() if config_file.exists() else None
    loggers = [logging.getLogger(), logging.getLogger("aniworld")]
    levels = [logger.level for logger in loggers]
    cache.clear()  # rate limits would answer most login attempts with a 429
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        if saved is None:
            config_file.unlink(missing_ok=True)
        else:
            config_file.write_bytes(saved)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@schema.parametrize()
@settings(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_within_its_schema(case, app, bearer):
    with fresh_state():
        case.call_and_validate(app=app, headers=bearer, checks=CHECKS)
    # The rollback really gave the next example the same library.
    assert Series.objects.filter(key=SERIES_KEY).exists()
    assert DownloadItem.objects.filter(id=existing["item_id"]).exists()


@session_schema.parametrize()
@settings(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_session_operations_answer_within_their_schema(case, app, configured):
    with fresh_state():
        if case.path == "/api/auth/setup":
            # A fresh installation, where setup does its work.
            django_settings.ANIWORLD_CONFIG_FILE.unlink()
        case.call_and_validate(app=app, headers=bearer_of(configured), checks=CHECKS)
