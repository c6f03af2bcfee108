"""Adding a series with a TMDB key configured writes its NFO and artwork in the background."""

import pytest

from aniworld.http import reset_clients
from nfo.models import NfoState
from nfo.tvshow_xml import missing_tags, parse_nfo
from tests.fakes.aniworld_site import FakeAniworld

# Transactional: the series' refresh (and its NFO) runs after the commit, inline here.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def running_aniworld():
    with FakeAniworld() as site:
        yield site


@pytest.fixture
def aniworld_site(running_aniworld, monkeypatch):
    running_aniworld.reset()
    monkeypatch.setenv("ANIWORLD_SITE_URL", running_aniworld.url)
    reset_clients()
    yield running_aniworld
    reset_clients()


def test_adding_a_series_writes_a_complete_nfo_and_poster_into_its_folder(
    api, aniworld_site, tmdb_key, library_root
):
    response = api.post("/api/anime/", {"key": "attack-on-titan", "site": "aniworld.to"})

    assert response.status_code == 201, response.content
    folder = library_root / "Attack on Titan (2013)"
    nfo = parse_nfo((folder / "tvshow.nfo").read_bytes())
    assert missing_tags(nfo) == []
    assert nfo.uniqueid("imdb") == "tt2560140"
    assert (folder / "poster.jpg").stat().st_size > 0
    state = NfoState.objects.get(series__key="attack-on-titan")
    assert state.complete
    assert state.tmdb_id == 1429
    assert api.get("/api/anime/attack-on-titan").json()["state"] == "ready"


def test_without_a_tmdb_key_adding_a_series_writes_no_nfo(
    api, aniworld_site, fake_tmdb, library_root
):
    api.post("/api/anime/", {"key": "attack-on-titan", "site": "aniworld.to"})

    assert not (library_root / "Attack on Titan (2013)" / "tvshow.nfo").exists()
    assert fake_tmdb.api_requests() == []
