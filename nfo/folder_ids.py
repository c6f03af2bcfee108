"""What the library's folder matching borrows from nfo: tvshow.nfo ids and TMDB look-ups.

Registered in ``library.matching.id_readers`` by ``NfoConfig.ready`` (the library
imports no app above it).
"""

from __future__ import annotations

import logging

from library.matching import NfoIds
from nfo.tmdb import TmdbClient, TmdbError
from nfo.tvshow_xml import parse_nfo

log = logging.getLogger(__name__)


def read_nfo_ids(data: bytes) -> NfoIds:
    """Titles, year and ids of a tvshow.nfo; ``NfoParseError`` (a ValueError) when unreadable."""
    nfo = parse_nfo(data)
    return NfoIds(
        title=nfo.title,
        originaltitle=nfo.originaltitle,
        year=nfo.year,
        imdb=nfo.uniqueid("imdb"),
        tmdb=nfo.uniqueid("tmdb"),
    )


class TmdbIds:
    """TMDB's look-ups for matching folders, through one client."""

    def __init__(self, client: TmdbClient):
        self.client = client

    def imdb_of_tmdb(self, tmdb_id: int) -> str:
        try:
            return self.client.details(tmdb_id).external_ids.imdb_id or ""
        except TmdbError as exc:
            log.info("TMDB has no IMDb id for %s: %s", tmdb_id, exc.message)
            return ""

    def names_of_imdb(self, imdb_id: str) -> list[str]:
        try:
            found = self.client.find_by_imdb(imdb_id)
        except TmdbError as exc:
            log.info("TMDB cannot find %s: %s", imdb_id, exc.message)
            return []
        return [found[0].name, found[0].original_name] if found else []


def tmdb_ids() -> TmdbIds | None:
    """The look-ups, or None without a TMDB key."""
    client = TmdbClient()
    return TmdbIds(client) if client.api_key else None
