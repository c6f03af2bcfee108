"""TMDB's details → the tvshow.nfo model.

``from_tmdb`` only makes models whose texts are clean (see ``clean_text``), so
``parse_nfo(to_xml(nfo)) == nfo`` holds for what it returns.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from nfo.artwork import FANART_LANGUAGES, best_image_path, logo_path
from nfo.tmdb import image_url
from nfo.tmdb_types import TvDetails
from nfo.tvshow import (
    CONTINUING,
    ENDED,
    Actor,
    NamedSeason,
    Rating,
    Thumb,
    TvShowNfo,
    UniqueId,
    clean_text,
)

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
OUTLINE_MIN_CHARS = 80
OUTLINE_MAX_CHARS = 300
# A sentence ends at . ! ? or … followed by space, unless the dot closes a
# one-letter abbreviation such as "z. B.".
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])(?<!\b\w\.)\s+")


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
