"""The extractors are exactly the hosters the settings offer, under the same names."""

from aniworld.hosters import DOWNLOADABLE, Hoster
from downloads.hosters import DOMAIN_HINTS, EXTRACTORS, canonical_name, is_supported


def test_there_is_an_extractor_for_every_downloadable_hoster_and_no_other():
    assert list(EXTRACTORS) == list(DOWNLOADABLE)


def test_every_domain_hint_belongs_to_an_extractor():
    assert set(DOMAIN_HINTS) <= set(EXTRACTORS)


def test_a_hoster_without_an_extractor_is_unsupported():
    assert not is_supported(Hoster.STREAMTAPE)
    assert canonical_name("vidoza") == "Vidoza"
