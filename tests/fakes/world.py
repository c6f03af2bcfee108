"""The fake index sites wired to the fake hosters: every episode link leads to real media."""

from __future__ import annotations

from library.providers.base import canonical_hoster
from tests.fakes.hosters import HosterWorld
from tests.fakes.index_sites import FakeIndexSite


def connect(site: FakeIndexSite, hosters: HosterWorld) -> None:
    """Point each ``/redirect/<id>`` of ``site`` at the fake hoster it names."""
    for series in site.catalogue.values():
        for season, episodes in series.seasons.items():
            for episode in episodes:
                for hoster in episode.hosters:
                    name = canonical_hoster(hoster)
                    for language in episode.languages:
                        link_id = site.link_id(series.key, season, episode.number, hoster, language)
                        site.redirect_to(link_id, hosters.embed_url(name))
