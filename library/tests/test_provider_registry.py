"""The provider registry and the recognition of pasted URLs."""

import pytest

from library.providers import (
    PROVIDERS,
    UnsupportedSite,
    UnsupportedUrl,
    get_provider,
    provider_for_url,
)
from library.providers.aniworld import AniworldProvider
from library.providers.sto import StoProvider


def test_both_sites_are_registered_by_name():
    assert set(PROVIDERS) == {"aniworld.to", "s.to"}
    assert isinstance(get_provider("aniworld.to"), AniworldProvider)
    assert isinstance(get_provider("s.to"), StoProvider)
    assert get_provider(" S.TO ") is get_provider("s.to")


def test_an_unknown_site_is_a_validation_error():
    with pytest.raises(UnsupportedSite) as caught:
        get_provider("bs.to")

    assert caught.value.status == 422
    assert "site" in caught.value.details


@pytest.mark.parametrize(
    ("url", "site", "key"),
    [
        ("https://aniworld.to/anime/stream/attack-on-titan", "aniworld.to", "attack-on-titan"),
        ("https://aniworld.to/anime/stream/attack-on-titan/", "aniworld.to", "attack-on-titan"),
        (
            "https://aniworld.to/anime/stream/one-piece/staffel-2/episode-5",
            "aniworld.to",
            "one-piece",
        ),
        ("https://aniworld.to/anime/stream/one-piece/filme/film-1", "aniworld.to", "one-piece"),
        ("  aniworld.to/anime/stream/86-eighty-six?ref=x  ", "aniworld.to", "86-eighty-six"),
        ("http://127.0.0.1:8123/anime/stream/mirror-key", "aniworld.to", "mirror-key"),
        ("https://s.to/serie/stream/the-walking-dead", "s.to", "the-walking-dead"),
        (
            "https://s.to/serie/stream/the-walking-dead/staffel-3/episode-1",
            "s.to",
            "the-walking-dead",
        ),
        ("https://s.to/serie/9-1-1", "s.to", "9-1-1"),
        ("https://serienstream.to/serie/dark/staffel-1/episode-2/", "s.to", "dark"),
        ("https://s.to/serie/stromberg/staffel-0", "s.to", "stromberg"),
    ],
)
def test_it_recognises_series_season_and_episode_urls(url, site, key):
    provider, found = provider_for_url(url)

    assert (provider.site, found) == (site, key)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "https://s.to/serien",
        "https://s.to/serie/stream",
        "https://s.to/serie/stream/",
        "https://aniworld.to/anime/stream/",
        "https://aniworld.to/neue-episoden",
        "https://www.youtube.com/watch?v=1",
    ],
)
def test_anything_else_is_not_a_series_url(url):
    with pytest.raises(UnsupportedUrl) as caught:
        provider_for_url(url)

    assert caught.value.status == 422
    assert "url" in caught.value.details


def test_the_base_url_is_read_when_a_provider_is_used(aniworld_site, monkeypatch):
    provider = get_provider("aniworld.to")
    assert provider.series_url("x") == f"{aniworld_site.url}/anime/stream/x"

    monkeypatch.setenv("ANIWORLD_SITE_URL", "https://mirror.example/")

    assert provider.series_url("x") == "https://mirror.example/anime/stream/x"


def test_a_registered_provider_talks_to_the_configured_site(aniworld_site, sto_site):
    assert get_provider("aniworld.to").series("the-ogres-bride").name == "The Ogre's Bride"
    assert get_provider("s.to").series("dark").name == "Dark"
