"""tvshow.nfo as XML: the writer, a tolerant reader, and the check for missing tags.

``parse_nfo`` also reads files that Kodi, Jellyfin or tinyMediaManager wrote: a
single old-style ``<rating>``, ``<uniqueid>`` without ``default``, ``<thumb>``
without ``aspect``, ids in ``<tmdbid>``-style tags, Jellyfin's ``<art>`` block,
Kodi's ``<fanart url="…">`` prefix and a URL line after the XML.

``parse_nfo(to_xml(nfo)) == nfo`` holds for every model whose texts are clean
(see ``nfo.tvshow.clean_text``); ``from_tmdb`` and ``parse_nfo`` only make such models.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from lxml import etree

from aniworld.file_modes import write_library_file
from nfo.tvshow import (
    CONTINUING,
    ENDED,
    LIST_TAGS,
    NFO_FILE_NAME,
    NOT_XML,
    NUMBER_TAGS,
    REQUIRED_TAGS,
    SCALAR_TAGS,
    Actor,
    NamedSeason,
    NfoParseError,
    Rating,
    Thumb,
    TvShowNfo,
    UniqueId,
)

# model → XML


def to_xml(nfo: TvShowNfo) -> bytes:
    """UTF-8 XML with declaration, indented; empty fields are left out."""
    root = etree.Element("tvshow")

    def add(parent, tag: str, text, **attrs: str) -> None:
        if text is not None and text != "":
            etree.SubElement(parent, tag, attrs).text = NOT_XML.sub("", str(text))

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
