"""Hoster extractors, looked up by the hoster name the index site shows.

The embed domains of hosters rotate, so the name on the episode page (``VOE``,
``Vidoza``…) chooses the extractor, never the URL.

    source = get_extractor("voe").extract(embed_url)

Only a link the owner pastes by hand comes without a name: ``extract_any``
recognises its hoster from the address, else from which extractor understands
the page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from aniworld.hosters import Hoster
from aniworld.http import SiteClient

from .base import (
    ExtractionError,
    HosterChallenge,
    HosterExtractor,
    MediaSource,
    UnsupportedHoster,
)
from .doodstream import DoodstreamExtractor
from .filemoon import FilemoonExtractor
from .vidmoly import VidmolyExtractor
from .vidoza import VidozaExtractor
from .voe import VoeExtractor

__all__ = [
    "EXTRACTORS",
    "ExtractionError",
    "HosterChallenge",
    "HosterExtractor",
    "MediaSource",
    "UnsupportedHoster",
    "canonical_name",
    "extract_any",
    "get_extractor",
    "is_supported",
]

EXTRACTORS: dict[str, type[HosterExtractor]] = {
    extractor.name: extractor
    for extractor in (
        VoeExtractor,
        VidozaExtractor,
        DoodstreamExtractor,
        VidmolyExtractor,
        FilemoonExtractor,
    )
}
_BY_FOLDED_NAME = {name.casefold(): extractor for name, extractor in EXTRACTORS.items()}

# Pieces of host names that give a hoster away; its mirror domains change often,
# so an address matching none of them is still tried with every extractor.
DOMAIN_HINTS = {
    Hoster.VOE: ("voe",),
    Hoster.VIDOZA: ("vidoza",),
    Hoster.DOODSTREAM: ("dood", "d000d", "d0000d", "ds2play", "ds2video", "playmogo", "vide0"),
    Hoster.VIDMOLY: ("vidmoly",),
    Hoster.FILEMOON: ("filemoon", "moonplayer", "byse", "bysebuho"),
}


def is_supported(name: str) -> bool:
    return name.strip().casefold() in _BY_FOLDED_NAME


def canonical_name(name: str) -> str | None:
    """The extractor's spelling of hoster ``name`` (any case), or None when unsupported."""
    extractor = _BY_FOLDED_NAME.get(name.strip().casefold())
    return extractor.name if extractor else None


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


def extract_any(
    url: str, names: list[str], client: SiteClient | None = None
) -> tuple[str, MediaSource]:
    """``(hoster, source)`` for a page of unknown hoster: the hosters whose domain the
    address names first, then the rest of ``names`` in order, then every other
    extractor, until one understands it."""
    host = (urlsplit(url.strip()).hostname or "").lower()
    named = [canonical_name(name) for name in names]
    usable = [name for name in named if name] + [n for n in EXTRACTORS if n not in named]
    hinted = [n for n in usable if any(hint in host for hint in DOMAIN_HINTS.get(n, ()))]
    problems = []
    for name in hinted + [n for n in usable if n not in hinted]:
        try:
            return name, get_extractor(name, client).extract(url)
        except HosterChallenge:
            raise
        except ExtractionError as exc:
            problems.append(f"{name}: {exc.message}")
    raise ExtractionError(
        f"no hoster recognised the page {url} ({'; '.join(problems) or 'no hoster to try'})",
        url=url,
        hoster="",
        details={"url": url, "tried": usable},
    )
