"""Fixtures for the fake remote world, shared by every test package.

The fakes run once per test session (stopping a server costs half a second)
and are reset before every test, which also gets fresh HTTP clients.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from aniworld.addresses import host_port
from aniworld.http import reset_clients
from library.providers.aniworld import AniworldProvider
from library.providers.sto import StoProvider
from tests.fakes.aniworld_site import FakeAniworld
from tests.fakes.hosters import HosterWorld
from tests.fakes.media import MediaSet, make_media_set
from tests.fakes.media_servers import FakeAppriseTarget, FakeJellyfin, FakePlex
from tests.fakes.sto_site import FakeSto
from tests.fakes.world import connect


@pytest.fixture(scope="session")
def running_aniworld():
    with FakeAniworld() as site:
        yield site


@pytest.fixture(scope="session")
def running_sto():
    with FakeSto(layout="2026") as site:
        yield site


@pytest.fixture(scope="session")
def running_legacy_sto():
    with FakeSto(layout="legacy") as site:
        yield site


def _pointed_at(site, variable, monkeypatch):
    """The app pointed at ``site``, back to normal before and after the test: a
    module-scoped app fixture that uses the running site directly must not meet a bot
    check a test before it switched on."""
    site.reset()
    monkeypatch.setenv(variable, site.url)
    # Shared clients are per base URL; a fresh one brings a fresh rate limiter.
    reset_clients()
    yield site
    site.reset()
    reset_clients()


@pytest.fixture
def aniworld_site(running_aniworld, monkeypatch):
    yield from _pointed_at(running_aniworld, "ANIWORLD_SITE_URL", monkeypatch)


@pytest.fixture
def sto_site(running_sto, monkeypatch):
    yield from _pointed_at(running_sto, "STO_SITE_URL", monkeypatch)


@pytest.fixture
def legacy_sto_site(running_legacy_sto, monkeypatch):
    yield from _pointed_at(running_legacy_sto, "STO_SITE_URL", monkeypatch)


@pytest.fixture
def aniworld(aniworld_site):
    return AniworldProvider()


@pytest.fixture
def sto(sto_site):
    return StoProvider()


@pytest.fixture
def legacy_sto(legacy_sto_site):
    return StoProvider()


@pytest.fixture(scope="session")
def media_set(tmp_path_factory: pytest.TempPathFactory) -> MediaSet:
    return make_media_set(tmp_path_factory.mktemp("media"))


ALLOW_PRIVATE = "ANIWORLD_ALLOW_PRIVATE_HOSTS"


@pytest.fixture(scope="session")
def running_hoster_world(media_set: MediaSet) -> Iterator[HosterWorld]:
    """The fake hosters. They live on 127.0.0.1, which the app refuses to fetch on a
    remote's word (DESIGN.md, Security): they are listed as trusted, in the settings of
    this process and in the environment the app processes that tests start inherit."""
    with HosterWorld(media_set) as world:
        before = os.environ.get(ALLOW_PRIVATE)
        os.environ[ALLOW_PRIVATE] = ",".join(filter(None, [before, *world.host_ports]))
        try:
            yield world
        finally:
            if before is None:
                os.environ.pop(ALLOW_PRIVATE, None)
            else:
                os.environ[ALLOW_PRIVATE] = before


def allow_private(settings, *servers) -> None:
    """Let the downloader fetch from these fakes on 127.0.0.1, as a user would list a
    trusted LAN host in ANIWORLD_ALLOW_PRIVATE_HOSTS (the private-address guard)."""
    entries = [host_port(server.url) for server in servers]
    settings.ANIWORLD_ALLOW_PRIVATE_HOSTS = [*settings.ANIWORLD_ALLOW_PRIVATE_HOSTS, *entries]


@pytest.fixture
def hosters(running_hoster_world: HosterWorld, settings) -> Iterator[HosterWorld]:
    """The fake hosters, every switch back to normal, their addresses allowed."""
    running_hoster_world.reset()
    allow_private(settings, *running_hoster_world.servers)
    yield running_hoster_world
    running_hoster_world.reset()  # as for the sites: nothing switched on outlives the test


@pytest.fixture
def world(aniworld_site, hosters):
    """The aniworld.to imitation whose links lead to the fake hosters and real media."""
    connect(aniworld_site, hosters)
    return aniworld_site


# -- media servers and notification targets (connect) --------------------------


@pytest.fixture(scope="session")
def running_jellyfin() -> Iterator[FakeJellyfin]:
    with FakeJellyfin() as server:
        yield server


@pytest.fixture
def jellyfin(running_jellyfin: FakeJellyfin) -> FakeJellyfin:
    running_jellyfin.reset()
    return running_jellyfin


@pytest.fixture(scope="session")
def running_plex() -> Iterator[FakePlex]:
    with FakePlex({"1": ["/data/movies"], "2": ["/data/anime"]}) as server:
        yield server


@pytest.fixture
def plex(running_plex: FakePlex) -> FakePlex:
    running_plex.reset()
    return running_plex


@pytest.fixture(scope="session")
def running_apprise_target() -> Iterator[FakeAppriseTarget]:
    with FakeAppriseTarget() as server:
        yield server


@pytest.fixture
def apprise_target(running_apprise_target: FakeAppriseTarget) -> FakeAppriseTarget:
    running_apprise_target.reset()
    return running_apprise_target
