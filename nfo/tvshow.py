"""tvshow.nfo: the model, the mapping from TMDB, the XML writer and a tolerant reader.

The file follows what Kodi (v20+) and Jellyfin read; see SITES.md. A file counts
as complete when none of ``REQUIRED_TAGS`` is missing. Some tags are only
``NICE_TO_HAVE_TAGS`` because TMDB often has nothing for them (most anime have no
tagline, no keywords, no named creators, no IMDb or TVDB id, no logo), and a
file should not stay "incomplete" forever for data that does not exist.

``parse_nfo`` also reads files that Kodi, Jellyfin or tinyMediaManager wrote: a
single old-style ``<rating>``, ``<uniqueid>`` without ``default``, ``<thumb>``
without ``aspect``, ids in ``<tmdbid>``-style tags, Jellyfin's ``<art>`` block,
Kodi's ``<fanart url="…">`` prefix and a URL line after the XML.

``parse_nfo(to_xml(nfo)) == nfo`` holds for every model whose texts are clean
(see ``clean_text``); ``from_tmdb`` and ``parse_nfo`` only make such models.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from lxml import etree

from aniworld.file_modes import write_library_file
from nfo.artwork import FANART_LANGUAGES, best_image_path, logo_path
from nfo.tmdb import TvDetails, image_url

NFO_FILE_NAME = "tvshow.nfo"
CONTINUING, ENDED = "Continuing", "Ended"
TMDB_STATUS = {
    "Returning Series": CONTINUING,
    "In Production": CONTINUING,
    "Planned": CONTINUING,
    "Pilot": CONTINUING,
    "Ended": ENDED,
    "Canceled": ENDED,
    "Cancelled": ENDED,
}
ARTWORK_SIZE = "original"
PROFILE_SIZE = "w185"

# Names used by ``missing_tags``; "a:b" means a tag with that type or aspect.
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

OUTLINE_MIN_CHARS = 80
OUTLINE_MAX_CHARS = 300
# A sentence ends at . ! ? or … followed by space, unless the dot closes a
# one-letter abbreviation such as "z. B.".
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])(?<!\b\w\.)\s+")
# Characters XML 1.0 cannot carry at all; lxml refuses them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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


# TMDB → model


def from_tmdb(details: TvDetails, image_base: str, *, added: datetime | None = None) -> TvShowNfo:
    """The NFO of a series; ``image_base`` is the image host (``…/t/p``), ``added`` keeps
    the date of an earlier file on refresh (default: now)."""
    plot = clean_text(details.overview)
    ids = {
        "tmdb": str(details.id),
        "imdb": details.external_ids.imdb_id,
        "tvdb": str(details.external_ids.tvdb_id or ""),
    }
    ids = {kind: value for kind, value in ids.items() if value}
    status = _status(details)

    def art(path: str, size: str = ARTWORK_SIZE) -> str:
        return image_url(image_base, path, size)

    thumbs = [
        Thumb(art(best_image_path(details.images.posters, fallback=details.poster_path)), "poster"),
        Thumb(art(logo_path(best_image_path(details.images.logos))), "clearlogo"),
        Thumb(
            art(best_image_path(details.images.backdrops, fallback=details.backdrop_path)),
            "landscape",
        ),
        *(
            Thumb(art(season.poster_path), "poster", season.number)
            for season in details.seasons
            if season.poster_path
        ),
    ]
    fanart = art(
        best_image_path(details.images.backdrops, FANART_LANGUAGES, fallback=details.backdrop_path)
    )
    title = clean_text(details.name) or clean_text(details.original_name)
    return TvShowNfo(
        title=title,
        originaltitle=clean_text(details.original_name) or title,
        sorttitle=title,
        year=details.first_air_date.year if details.first_air_date else None,
        premiered=details.first_air_date.isoformat() if details.first_air_date else "",
        status=status,
        enddate=details.last_air_date.isoformat()
        if status == ENDED and details.last_air_date
        else "",
        plot=plot,
        outline=outline_of(plot),
        tagline=clean_text(details.tagline),
        runtime=details.episode_run_time[0] if details.episode_run_time else None,
        mpaa=_mpaa(details),
        ratings=[Rating("tmdb", details.vote_average, details.vote_count, 10, True)]
        if details.vote_count > 0
        else [],
        uniqueids=[UniqueId(kind, value, kind == "tmdb") for kind, value in ids.items()],
        episodeguide=json.dumps(ids, separators=(",", ":")),
        genres=_distinct(details.genres),
        tags=_distinct(details.keywords),
        studios=_distinct(details.networks + details.production_companies),
        countries=_distinct(details.production_countries or details.origin_country),
        credits=_distinct(
            [person.name for person in details.created_by]
            or [person.name for person in details.crew if person.department == "Writing"]
        ),
        actors=[
            Actor(
                clean_text(member.name),
                clean_text(member.character),
                member.order,
                art(member.profile_path, PROFILE_SIZE),
            )
            for member in details.cast
        ],
        thumbs=[thumb for thumb in thumbs if thumb.url],
        fanart=[fanart] if fanart else [],
        namedseasons=[
            NamedSeason(season.number, clean_text(season.name))
            for season in details.seasons
            if clean_text(season.name)
        ],
        dateadded=(added or datetime.now()).strftime("%Y-%m-%d %H:%M:%S"),
    )


def clean_text(text: str) -> str:
    """``text`` as it survives a trip through XML: no forbidden characters, \\n line ends."""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def outline_of(plot: str) -> str:
    """The first sentence(s) of ``plot``: enough to say something, short enough for a list."""
    sentences = _SENTENCE_BREAK.split(plot)
    outline = ""
    for sentence in sentences:
        longer = f"{outline} {sentence}".strip()
        if outline and len(longer) > OUTLINE_MAX_CHARS:
            break
        outline = longer
        if len(outline) >= OUTLINE_MIN_CHARS:
            break
    return outline


def _status(details: TvDetails) -> str:
    if details.status in TMDB_STATUS:
        return TMDB_STATUS[details.status]
    return CONTINUING if details.in_production else ""


def _mpaa(details: TvDetails) -> str:
    german = details.content_rating("DE")
    if german:
        age = re.search(r"\d+", german)
        return f"FSK {age.group()}" if age else german
    # Many anime have no German rating on TMDB; an American one still lets the
    # media server apply parental controls.
    return details.content_rating("US")


def _distinct(values) -> list[str]:
    cleaned = (clean_text(value) for value in values)
    return list(dict.fromkeys(value for value in cleaned if value))


# model → XML


def to_xml(nfo: TvShowNfo) -> bytes:
    """UTF-8 XML with declaration, indented; empty fields are left out."""
    root = etree.Element("tvshow")

    def add(parent, tag: str, text, **attrs: str) -> None:
        if text is not None and text != "":
            etree.SubElement(parent, tag, attrs).text = _NOT_XML.sub("", str(text))

    for tag in SCALAR_TAGS:
        add(root, tag, getattr(nfo, tag))
    if nfo.ratings:
        ratings = etree.SubElement(root, "ratings")
        for rating in nfo.ratings:
            attrs = {"name": rating.name} if rating.name else {}
            attrs.update(max=str(rating.max), default=str(rating.default).lower())
            element = etree.SubElement(ratings, "rating", attrs)
            add(element, "value", repr(float(rating.value)))
            add(element, "votes", rating.votes)
    for uid in nfo.uniqueids:
        add(
            root,
            "uniqueid",
            uid.value,
            type=uid.type,
            **({"default": "true"} if uid.default else {}),
        )
    add(root, "episodeguide", nfo.episodeguide)
    for tag, attribute in LIST_TAGS.items():
        for value in getattr(nfo, attribute):
            add(root, tag, value)
    for actor in nfo.actors:
        element = etree.SubElement(root, "actor")
        add(element, "name", actor.name)
        add(element, "role", actor.role)
        add(element, "order", actor.order)
        add(element, "thumb", actor.thumb)
    for thumb in nfo.thumbs:
        attrs = {"aspect": thumb.aspect} if thumb.aspect else {}
        if thumb.season is not None:
            attrs.update(type="season", season=str(thumb.season))
        add(root, "thumb", thumb.url, **attrs)
    if nfo.fanart:
        fanart = etree.SubElement(root, "fanart")
        for url in nfo.fanart:
            add(fanart, "thumb", url)
    for season in nfo.namedseasons:
        add(root, "namedseason", season.name, number=str(season.number))
    add(root, "dateadded", nfo.dateadded)
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", standalone=True, pretty_print=True
    )


def write_nfo(folder: Path, nfo: TvShowNfo) -> Path:
    """Write ``folder/tvshow.nfo`` atomically and return its path."""
    path = Path(folder) / NFO_FILE_NAME
    write_library_file(path, to_xml(nfo))
    return path


# XML → model


def parse_nfo(data: bytes) -> TvShowNfo:
    """Read a tvshow.nfo of ours or of another tool; ``NfoParseError`` when unreadable."""
    root = _parse_root(data)
    nfo = TvShowNfo(
        **{tag: _text(root, tag) for tag in SCALAR_TAGS if tag not in NUMBER_TAGS},
        **{tag: _number(_text(root, tag)) for tag in NUMBER_TAGS},
        dateadded=_text(root, "dateadded"),
        ratings=_ratings(root),
        uniqueids=_uniqueids(root),
        episodeguide=_episodeguide(root),
        **{attribute: _texts(root, tag) for tag, attribute in LIST_TAGS.items()},
        actors=[
            Actor(_text(a, "name"), _text(a, "role"), _number(_text(a, "order")), _text(a, "thumb"))
            for a in root.findall("actor")
            if _text(a, "name")
        ],
        thumbs=[
            Thumb(url, element.get("aspect", ""), _number(element.get("season", "")))
            for element in root.findall("thumb")
            if (url := (element.text or "").strip())
        ],
        fanart=_fanart(root),
        namedseasons=[
            NamedSeason(number, (element.text or "").strip())
            for element in root.findall("namedseason")
            if (number := _number(element.get("number", ""))) is not None
        ],
    )
    _read_jellyfin_art(root, nfo)
    return nfo


def _parse_root(data: bytes) -> etree._Element:
    if not data.strip():
        raise NfoParseError("the NFO file is empty")
    # Kodi allows a scraper URL on the line after the XML; only the XML matters here.
    end = data.rfind(b"</tvshow>")
    if end >= 0:
        data = data[: end + len(b"</tvshow>")]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise NfoParseError(f"the NFO file is not valid XML: {exc}") from exc
    if root.tag != "tvshow":
        raise NfoParseError(f"the NFO file describes <{root.tag}>, not <tvshow>")
    return root


def _text(element, tag: str) -> str:
    return (element.findtext(tag) or "").strip()


def _texts(element, tag: str) -> list[str]:
    return [text for e in element.findall(tag) if (text := (e.text or "").strip())]


def _number(text: str) -> int | None:
    # Third-party files write things like "24 min" or "1,234".
    match = re.match(r"\d+", text.strip().replace(",", ""))
    return int(match.group()) if match else None


def _float(text: str) -> float | None:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def _ratings(root) -> list[Rating]:
    ratings = []
    for element in root.findall("ratings/rating"):
        value = _float(_text(element, "value"))
        if value is not None:
            ratings.append(
                Rating(
                    element.get("name", ""),
                    value,
                    _number(_text(element, "votes")) or 0,
                    _number(element.get("max", "")) or 10,
                    element.get("default") == "true",
                )
            )
    old_style = _float(_text(root, "rating"))
    if not ratings and old_style is not None:
        ratings.append(Rating("", old_style, _number(_text(root, "votes")) or 0, 10, True))
    return ratings


def _uniqueids(root) -> list[UniqueId]:
    uniqueids = [
        UniqueId(element.get("type", "").strip().lower(), value, element.get("default") == "true")
        for element in root.findall("uniqueid")
        if (value := (element.text or "").strip())
    ]
    if uniqueids:
        return uniqueids
    # tinyMediaManager and older scrapers put the ids in tags of their own.
    legacy = {"tmdb": ("tmdbid",), "imdb": ("imdbid", "imdb_id", "imdb"), "tvdb": ("tvdbid",)}
    for kind, tags in legacy.items():
        value = next((text for tag in tags if (text := _text(root, tag))), "")
        if value:
            uniqueids.append(UniqueId(kind, value))
    return uniqueids


def _episodeguide(root) -> str:
    element = root.find("episodeguide")
    if element is None:
        return ""
    # Before Kodi 20 the guide was a <url> to the scraper's API.
    url = element.find("url")
    return (url.text if url is not None else element.text or "").strip()


def _fanart(root) -> list[str]:
    urls = []
    for fanart in root.findall("fanart"):
        prefix = fanart.get("url", "")  # old Kodi files split the URL into prefix and path
        urls.extend(prefix + text for text in _texts(fanart, "thumb"))
    return urls


def _read_jellyfin_art(root, nfo: TvShowNfo) -> None:
    """Jellyfin writes local paths in ``<art>``; take them where ``<thumb>`` says nothing."""
    art = root.find("art")
    if art is None:
        return
    aspects = {thumb.aspect for thumb in nfo.thumbs}
    for aspect in ("poster", "clearlogo", "landscape"):
        path = _text(art, aspect)
        if path and aspect not in aspects:
            nfo.thumbs.append(Thumb(path, aspect))
    if not nfo.fanart:
        nfo.fanart = _texts(art, "fanart")


# completeness


def missing_tags(nfo_or_bytes: TvShowNfo | bytes) -> list[str]:
    """``REQUIRED_TAGS`` that are missing, empty or unusable, in file order.

    Bytes are parsed first; an unreadable file raises ``NfoParseError``.
    """
    nfo = parse_nfo(nfo_or_bytes) if isinstance(nfo_or_bytes, bytes) else nfo_or_bytes
    present = {
        "title": bool(nfo.title),
        "originaltitle": bool(nfo.originaltitle),
        "sorttitle": bool(nfo.sorttitle),
        "year": nfo.year is not None,
        "premiered": _is_date(nfo.premiered),
        # Jellyfin understands only these two values.
        "status": nfo.status in (CONTINUING, ENDED),
        "enddate": nfo.status != ENDED or _is_date(nfo.enddate),
        "plot": bool(nfo.plot),
        "outline": bool(nfo.outline),
        "runtime": bool(nfo.runtime),
        "mpaa": bool(nfo.mpaa),
        "ratings": bool(nfo.ratings),
        "uniqueid:tmdb": bool(nfo.uniqueid("tmdb")),
        "episodeguide": bool(nfo.episodeguide),
        "genre": bool(nfo.genres),
        "studio": bool(nfo.studios),
        "actor": bool(nfo.actors),
        # A thumb without aspect is the poster to Kodi and Jellyfin alike.
        "thumb:poster": any(t.aspect in ("poster", "") and t.season is None for t in nfo.thumbs),
        "fanart": bool(nfo.fanart),
        "dateadded": bool(nfo.dateadded),
    }
    return [tag for tag in REQUIRED_TAGS if not present[tag]]


def _is_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10
