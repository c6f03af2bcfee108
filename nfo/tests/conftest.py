"""A fake TMDB wired into the settings, and clients that talk to it.

One fake server serves the whole session (stopping a server takes half a
second); every test that uses ``fake_tmdb`` gets it back in its default state.
"""

import asyncio
from contextlib import contextmanager

import pytest
from channels.layers import get_channel_layer

from aniworld.http import reset_clients
from aniworld.progress import group_name
from library.models import Series, SeriesState
from nfo.tmdb import TmdbClient
from nfo.tmdb_types import TvDetails
from tests import factories
from tests.fakes.tmdb import FAKE_API_KEY, FakeTmdb


@pytest.fixture(scope="session")
def tmdb_server():
    with FakeTmdb() as fake:
        yield fake


@pytest.fixture
def fake_tmdb(tmdb_server, settings):
    tmdb_server.reset()
    reset_clients()
    settings.TMDB_API_URL = tmdb_server.api_url
    settings.TMDB_IMAGE_URL = tmdb_server.image_url
    yield tmdb_server
    reset_clients()


@pytest.fixture
def tmdb(fake_tmdb) -> TmdbClient:
    return TmdbClient(FAKE_API_KEY)


def _details_of(server: FakeTmdb, tv_id: int) -> TvDetails:
    server.reset()
    return TmdbClient(FAKE_API_KEY, api_url=server.api_url, image_base=server.image_url).details(
        tv_id
    )


# The parsed details are immutable, so tests can share them; fetching them once
# spares every test TMDB's request spacing.


@pytest.fixture(scope="session")
def titan(tmdb_server) -> TvDetails:
    """Complete, German, with a tagline that only exists in English."""
    return _details_of(tmdb_server, 1429)


@pytest.fixture(scope="session")
def frieren(tmdb_server) -> TvDetails:
    """No German overview, no IMDb/TVDB id, no images, numbers sent as strings."""
    return _details_of(tmdb_server, 209867)


# The library side: series with folders, a TMDB key, the nfo room.


@pytest.fixture
def tmdb_key(fake_tmdb, monkeypatch) -> FakeTmdb:
    """The fake TMDB, with its key configured for the installation."""
    monkeypatch.setenv("TMDB_API_KEY", FAKE_API_KEY)
    return fake_tmdb


@pytest.fixture
def make_series(db, library_root):
    """Create a series of the library, with its folder on disk."""

    def make(key: str, name: str, year: int | None = None, **fields) -> Series:
        fields.setdefault("folder", f"{name} ({year})" if year else name)
        fields.setdefault("state", SeriesState.READY)
        return factories.make_series(key, name, year=year, library=library_root, **fields)

    return make


@pytest.fixture
def aot(make_series):
    """Attack on Titan as the index describes it: English name, year, IMDb id."""
    return make_series("attack-on-titan", "Attack on Titan", 2013, imdb_id="tt2560140")


@pytest.fixture
def frieren_series(make_series):
    """A series without IMDb id, so matched by name and year."""
    return make_series("frieren", "Frieren", 2023)


@pytest.fixture
def nfo_events():
    """Collects the events sent to the WebSocket room "nfo" (read them after the block).

    with nfo_events() as events:
        run_batch(...)
    assert events[0]["type"] == "nfo_progress"
    """

    @contextmanager
    def listen():
        layer = get_channel_layer()
        # One event loop from joining to draining: the Redis layer keeps a channel
        # and its subscription per event loop. It runs only while we join and drain;
        # in between, the events wait in the channel's queue (in memory) or in the
        # subscription's socket (Redis).
        loop = asyncio.new_event_loop()
        channel = loop.run_until_complete(layer.new_channel())
        loop.run_until_complete(layer.group_add(group_name("nfo"), channel))
        events: list[dict] = []

        async def drain():
            while True:
                try:
                    message = await asyncio.wait_for(layer.receive(channel), 0.2)
                except TimeoutError:
                    return
                events.append(message["event"])

        try:
            yield events
        finally:
            try:
                loop.run_until_complete(drain())
                loop.run_until_complete(layer.group_discard(group_name("nfo"), channel))
            finally:
                loop.close()

    return listen
