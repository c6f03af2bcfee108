"""The video hosters the index sites link to, spelled one way across the project.

The sites name a hoster on each link in their own ways ("VOE", "voe", "Dood Stream");
``hoster_named`` turns those into a ``Hoster``. Only the ``DOWNLOADABLE`` ones have an
extractor (``downloads.hosters``); the owner orders those in the settings.

Kept in the toolkit rather than in an app, so that the configuration (which validates
``downloads.hoster_order``), the index parsers and the extractors share it.
"""

from __future__ import annotations

import re
from enum import StrEnum


class Hoster(StrEnum):
    VOE = "VOE"
    VIDOZA = "Vidoza"
    DOODSTREAM = "Doodstream"
    VIDMOLY = "Vidmoly"
    FILEMOON = "Filemoon"
    STREAMTAPE = "Streamtape"
    SPEEDFILES = "SpeedFiles"
    LULUVDO = "LuluVDO"


# Those we can download from, in the default order of preference.
DOWNLOADABLE = (Hoster.VOE, Hoster.VIDOZA, Hoster.DOODSTREAM, Hoster.VIDMOLY, Hoster.FILEMOON)


def hoster_named(name: str) -> Hoster | None:
    """The hoster a site's name for it means, in any case and spacing; None when unknown."""
    return _BY_SQUASHED_NAME.get(_squashed(name))


def _squashed(name: str) -> str:
    """ "Dood Stream" → "doodstream": only lower-case letters and digits."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


_BY_SQUASHED_NAME = {_squashed(hoster): hoster for hoster in Hoster}
_BY_SQUASHED_NAME["dood"] = Hoster.DOODSTREAM  # another name the sites use
