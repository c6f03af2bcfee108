"""Hoster extractors, looked up by the hoster name the index site shows.

The embed domains of hosters rotate, so the name on the episode page (``VOE``,
``Vidoza``…) chooses the extractor, never the URL.

    source = get_extractor("voe").extract(embed_url)
"""

from __future__ import annotations

from aniworld.http import SiteClient

from .base import ExtractionError, HosterExtractor, MediaSource, UnsupportedHoster
from .doodstream import DoodstreamExtractor
from .vidmoly import VidmolyExtractor
from .vidoza import VidozaExtractor
from .voe import VoeExtractor

__all__ = [
    "EXTRACTORS",
    "ExtractionError",
    "HosterExtractor",
    "MediaSource",
    "UnsupportedHoster",
    "get_extractor",
    "is_supported",
]

EXTRACTORS: dict[str, type[HosterExtractor]] = {
    extractor.name: extractor
    for extractor in (VoeExtractor, VidozaExtractor, DoodstreamExtractor, VidmolyExtractor)
}
_BY_FOLDED_NAME = {name.casefold(): extractor for name, extractor in EXTRACTORS.items()}


def is_supported(name: str) -> bool:
    return name.strip().casefold() in _BY_FOLDED_NAME


def get_extractor(name: str, client: SiteClient | None = None) -> HosterExtractor:
    """The extractor for hoster ``name`` (any case); ``UnsupportedHoster`` if none.

    ``client`` replaces the hoster's shared HTTP client (tests use a fast one).
    """
    extractor = _BY_FOLDED_NAME.get(name.strip().casefold())
    if extractor is None:
        supported = ", ".join(EXTRACTORS)
        raise UnsupportedHoster(
            f"no extractor for hoster {name!r} (supported: {supported})",
            hoster=name,
            details={"hoster": name, "supported": list(EXTRACTORS)},
        )
    return extractor(client)
