"""Hoster names are spelled one way, ``aniworld.hosters.Hoster``, whatever the sites write."""

import pytest

from aniworld import config
from aniworld.hosters import DOWNLOADABLE, Hoster, hoster_named


@pytest.mark.parametrize(
    ("name", "hoster"),
    [
        ("VOE", Hoster.VOE),
        ("voe", Hoster.VOE),
        ("Dood Stream", Hoster.DOODSTREAM),
        ("dood", Hoster.DOODSTREAM),
        ("Doodstream", Hoster.DOODSTREAM),
        ("FILEMOON", Hoster.FILEMOON),
        ("Speed-Files", Hoster.SPEEDFILES),
        ("luluvdo", Hoster.LULUVDO),
    ],
)
def test_a_sites_spelling_of_a_hoster_is_recognised(name, hoster):
    assert hoster_named(name) is hoster


def test_an_unknown_hoster_is_none():
    assert hoster_named("NewHoster") is None
    assert hoster_named("") is None


def test_the_default_hoster_order_lists_every_downloadable_hoster():
    assert config.DEFAULTS["downloads"]["hoster_order"] == list(DOWNLOADABLE)


def test_only_downloadable_hosters_may_be_ordered():
    config_with = config.deep_merge(
        config.DEFAULTS, {"downloads": {"hoster_order": ["Streamtape"]}}
    )
    assert config.validate(config_with) == {
        "downloads.hoster_order": [
            "must list hosters of VOE, Vidoza, Doodstream, Vidmoly, Filemoon"
        ]
    }
