"""tvshow.nfo: the model, its tags and what makes a file complete.

The file follows what Kodi (v20+) and Jellyfin read; see SITES.md. A file counts
as complete when none of ``REQUIRED_TAGS`` is missing. Some tags are only
``NICE_TO_HAVE_TAGS`` because TMDB often has nothing for them (most anime have no
tagline, no keywords, no named creators, no IMDb or TVDB id, no logo), and a
file should not stay "incomplete" forever for data that does not exist.

``nfo.tvshow_mapping`` builds the model from TMDB's details; ``nfo.tvshow_xml``
writes it as XML, reads it back (also files other tools wrote) and lists the
missing tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NFO_FILE_NAME = "tvshow.nfo"
CONTINUING, ENDED = "Continuing", "Ended"

# Names used by ``nfo.tvshow_xml.missing_tags``; "a:b" means a tag with that type or aspect.
# "enddate" counts only when the status is Ended.
# fmt: off
REQUIRED_TAGS = (
    "title", "originaltitle", "sorttitle", "year", "premiered", "status", "enddate",
    "plot", "outline", "runtime", "mpaa", "ratings", "uniqueid:tmdb", "episodeguide",
    "genre", "studio", "actor", "thumb:poster", "fanart", "dateadded",
)
NICE_TO_HAVE_TAGS = (
    "tagline", "tag", "country", "credits", "namedseason", "uniqueid:imdb", "uniqueid:tvdb",
    "thumb:clearlogo", "thumb:landscape",
)
# Single-valued tags, written in this order at the top of the file.
SCALAR_TAGS = (
    "title", "originaltitle", "sorttitle", "year", "premiered", "status", "enddate",
    "plot", "outline", "tagline", "runtime", "mpaa",
)
# fmt: on
NUMBER_TAGS = ("year", "runtime")
# Repeated tags and the model's list of their texts.
LIST_TAGS = {
    "genre": "genres",
    "tag": "tags",
    "studio": "studios",
    "country": "countries",
    "credits": "credits",
}

# Characters XML 1.0 cannot carry at all; lxml refuses them.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class NfoParseError(ValueError):
    """The bytes are not a readable tvshow.nfo (empty, truncated, not XML, other root)."""


@dataclass
class Rating:
    name: str
    value: float
    votes: int = 0
    max: int = 10
    default: bool = False


@dataclass
class UniqueId:
    type: str
    value: str
    default: bool = False


@dataclass
class Actor:
    name: str
    role: str = ""
    order: int | None = None
    thumb: str = ""


@dataclass
class Thumb:
    url: str
    aspect: str = ""  # "" is what old files write; readers treat it as a poster
    season: int | None = None


@dataclass
class NamedSeason:
    number: int
    name: str


@dataclass
class TvShowNfo:
    title: str = ""
    originaltitle: str = ""
    sorttitle: str = ""
    year: int | None = None
    premiered: str = ""  # yyyy-MM-dd
    status: str = ""  # Continuing or Ended
    enddate: str = ""  # yyyy-MM-dd
    plot: str = ""
    outline: str = ""
    tagline: str = ""
    runtime: int | None = None  # minutes
    mpaa: str = ""  # "FSK 12"
    ratings: list[Rating] = field(default_factory=list)
    uniqueids: list[UniqueId] = field(default_factory=list)
    episodeguide: str = ""  # JSON of the ids
    genres: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    studios: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    actors: list[Actor] = field(default_factory=list)
    thumbs: list[Thumb] = field(default_factory=list)
    fanart: list[str] = field(default_factory=list)
    namedseasons: list[NamedSeason] = field(default_factory=list)
    dateadded: str = ""  # yyyy-MM-dd HH:MM:SS

    def uniqueid(self, kind: str) -> str:
        return next((u.value for u in self.uniqueids if u.type == kind and u.value), "")


def clean_text(text: str) -> str:
    """``text`` as it survives a trip through XML: no forbidden characters, \\n line ends."""
    return NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
