"""``<episode file>.nfo``: the ``<episodedetails>`` model, its XML writer and reader.

Kodi and Jellyfin read an NFO beside a video that has the video's name with
``.nfo`` in place of its extension. We write ``title``, ``originaltitle``,
``showtitle``, ``season``, ``episode``, ``aired``, ``plot``, ``runtime``,
``uniqueid type="tmdb"`` and ``thumb`` (the episode still). The season and
episode are ours (the file's), not TMDB's: see ``nfo.season_mapping``.

A file is complete when ``REQUIRED_TAGS`` are all there; the others depend on
TMDB knowing them (an announced episode has no plot, some have no still).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from nfo.tvshow import NfoParseError, clean_text

ROOT_TAG = "episodedetails"
NFO_SUFFIX = ".nfo"
REQUIRED_TAGS = ("title", "showtitle", "season", "episode", "uniqueid:tmdb")
# Written in this order; Kodi does not mind the order, people reading the file do.
TEXT_TAGS = ("title", "originaltitle", "showtitle", "season", "episode", "aired", "plot")
NUMBER_TAGS = ("season", "episode", "runtime")


@dataclass
class EpisodeNfo:
    title: str = ""
    originaltitle: str = ""
    showtitle: str = ""
    season: int | None = None
    episode: int | None = None
    aired: str = ""  # yyyy-MM-dd
    plot: str = ""
    runtime: int | None = None  # minutes
    tmdb_id: str = ""
    thumb: str = ""


def sidecar_path(video: Path) -> Path:
    """Where the NFO of ``video`` goes: the same name with ``.nfo`` as extension."""
    video = Path(video)
    return video.with_name(video.stem + NFO_SUFFIX)


def to_xml(nfo: EpisodeNfo) -> bytes:
    """UTF-8 XML with declaration, indented; empty fields are left out."""
    root = etree.Element(ROOT_TAG)

    def add(tag: str, value, **attrs: str) -> None:
        text = "" if value is None else clean_text(str(value))
        if text:
            etree.SubElement(root, tag, attrs).text = text

    for tag in TEXT_TAGS:
        add(tag, getattr(nfo, tag))
    add("runtime", nfo.runtime)
    add("uniqueid", nfo.tmdb_id, type="tmdb", default="true")
    add("thumb", nfo.thumb)
    return etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", standalone=True, pretty_print=True
    )


def parse_episode_nfo(data: bytes) -> EpisodeNfo:
    """Read an episode NFO of ours or another tool's; ``NfoParseError`` when unreadable."""
    if not data.strip():
        raise NfoParseError("the NFO file is empty")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise NfoParseError(f"the NFO file is not valid XML: {exc}") from exc
    if root.tag != ROOT_TAG:
        raise NfoParseError(f"the NFO file describes <{root.tag}>, not <{ROOT_TAG}>")

    def text(tag: str) -> str:
        return (root.findtext(tag) or "").strip()

    def number(tag: str) -> int | None:
        value = text(tag)
        return int(value) if value.isdigit() else None

    tmdb_id = next(
        (
            (element.text or "").strip()
            for element in root.findall("uniqueid")
            if element.get("type") == "tmdb"
        ),
        "",
    )
    return EpisodeNfo(
        **{tag: text(tag) for tag in TEXT_TAGS if tag not in NUMBER_TAGS},
        **{tag: number(tag) for tag in NUMBER_TAGS},
        tmdb_id=tmdb_id,
        thumb=text("thumb"),
    )


def missing_tags(nfo: EpisodeNfo) -> list[str]:
    present = {
        "title": bool(nfo.title),
        "showtitle": bool(nfo.showtitle),
        "season": nfo.season is not None,
        "episode": nfo.episode is not None,
        "uniqueid:tmdb": bool(nfo.tmdb_id),
    }
    return [tag for tag in REQUIRED_TAGS if not present[tag]]


def is_episode_nfo(path: Path) -> bool:
    """Whether the file at ``path`` is an episode NFO (of anyone); False when unreadable."""
    try:
        parse_episode_nfo(Path(path).read_bytes())
    except (OSError, NfoParseError):
        return False
    return True
