"""Which TMDB series a library series is.

In order of trust: the id the owner set by hand; the id we matched before (or
the library recorded); the TMDB id in an existing tvshow.nfo (Jellyfin, Kodi or
tinyMediaManager put it there); the IMDb id from the index page, looked up
through ``/find``; and last the name and year through ``/search/tv``. Once TMDB
has answered 404 for an id, only the look-ups count until a match succeeds.

A search is only taken at its word when it leaves one candidate: a single
result, or a single result whose title equals one of the series' names (the
year then breaks a tie). Anything else is reported as ambiguous with the
candidates, and nothing found is reported as such — never guessed — so the
owner can set the id by hand.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from aniworld.errors import Conflict
from library.models import Series
from nfo.models import MatchStatus, NfoState
from nfo.tmdb import TmdbClient
from nfo.tmdb_types import TvSearchResult

MAX_CANDIDATES = 10
TITLE_POINTS, YEAR_POINTS = 2, 1
# TMDB's first air date and the index's start year may differ by a season's delay.
YEAR_TOLERANCE = 1


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    original_name: str
    year: int | None

    @classmethod
    def of(cls, result: TvSearchResult) -> Candidate:
        return cls(result.id, result.name, result.original_name, result.year)


@dataclass(frozen=True)
class Match:
    status: MatchStatus
    tmdb_id: int | None
    message: str
    candidates: tuple[Candidate, ...] = ()

    @property
    def found(self) -> bool:
        return self.tmdb_id is not None and self.status in (
            MatchStatus.MATCHED,
            MatchStatus.MANUAL,
        )

    def candidate_dicts(self) -> list[dict]:
        return [asdict(candidate) for candidate in self.candidates]


class AmbiguousMatch(Conflict):
    code = "TMDB_AMBIGUOUS"


class NoMatch(Conflict):
    code = "TMDB_NO_MATCH"


def require_found(series: Series, match: Match) -> int:
    """The TMDB id of a match; ``AmbiguousMatch`` or ``NoMatch`` (409) otherwise."""
    if match.found:
        return match.tmdb_id
    details = {"key": series.key, "candidates": match.candidate_dicts()}
    if match.status == MatchStatus.AMBIGUOUS:
        raise AmbiguousMatch(
            f"{match.message} Choose the right one by setting the TMDB id.", details=details
        )
    raise NoMatch(f"{match.message} Set the TMDB id by hand.", details=details)


def match_series(
    series: Series, client: TmdbClient, state: NfoState | None = None, nfo_tmdb_id: str = ""
) -> Match:
    """The TMDB series for ``series``; TMDB errors (bad key, network) propagate."""
    if state is not None and state.match_status == MatchStatus.MANUAL and state.tmdb_id:
        return Match(MatchStatus.MANUAL, state.tmdb_id, "TMDB id set by hand.")
    if state is not None and state.match_status == MatchStatus.MATCHED and state.tmdb_id:
        return Match(MatchStatus.MATCHED, state.tmdb_id, state.match_message)
    # After TMDB refused an id, only a fresh look-up helps: the stale id may
    # still be in the library and in the file.
    fresh = state is not None and state.match_status == MatchStatus.ERROR
    if series.tmdb_id and not fresh:
        return Match(MatchStatus.MATCHED, series.tmdb_id, "TMDB id recorded in the library.")
    if nfo_tmdb_id.strip().isdigit() and int(nfo_tmdb_id) > 0 and not fresh:
        return Match(
            MatchStatus.MATCHED, int(nfo_tmdb_id), "TMDB id taken from the existing tvshow.nfo."
        )
    if series.imdb_id:
        match = match_by_imdb(series.imdb_id, client)
        if match is not None:
            return match
    return match_by_name(series, client)


def match_by_imdb(imdb_id: str, client: TmdbClient) -> Match | None:
    """The match for an IMDb id; None when TMDB knows no series by it."""
    hits = client.find_by_imdb(imdb_id)
    if len(hits) == 1:
        return Match(MatchStatus.MATCHED, hits[0].id, f"Matched by IMDb id {imdb_id}.")
    if hits:
        return Match(
            MatchStatus.AMBIGUOUS,
            None,
            f"TMDB lists {len(hits)} series for IMDb id {imdb_id}.",
            tuple(Candidate.of(hit) for hit in hits[:MAX_CANDIDATES]),
        )
    return None


def match_by_name(series: Series, client: TmdbClient) -> Match:
    described = f"{series.name!r}" + (f" ({series.year})" if series.year else "")
    results = client.search_tv(series.name, series.year)
    if not results and series.year:
        results = [
            result
            for result in client.search_tv(series.name)
            if result.year is None or abs(result.year - series.year) <= YEAR_TOLERANCE
        ]
    if not results:
        return Match(MatchStatus.NOT_FOUND, None, f"TMDB has no series named {described}.")
    if len(results) == 1:
        return Match(MatchStatus.MATCHED, results[0].id, f"Matched by name {described}.")
    names = {normalized(name) for name in (series.name, *series.alternative_titles) if name}
    scored = [(_score(result, names, series.year), result) for result in results]
    best = max(score for score, _ in scored)
    top = [result for score, result in scored if score == best]
    if best >= TITLE_POINTS and len(top) == 1:
        return Match(MatchStatus.MATCHED, top[0].id, f"Matched by name {described}.")
    shown = top if best >= TITLE_POINTS else results
    return Match(
        MatchStatus.AMBIGUOUS,
        None,
        f"TMDB has {len(shown)} series that could be {described}.",
        tuple(Candidate.of(result) for result in shown[:MAX_CANDIDATES]),
    )


def normalized(title: str) -> str:
    """A title for comparison: case, spaces and punctuation do not count (any script)."""
    return re.sub(r"[\W_]+", "", title.casefold())


def _score(result: TvSearchResult, names: set[str], year: int | None) -> int:
    titles = {normalized(result.name), normalized(result.original_name)} - {""}
    score = TITLE_POINTS if titles & names else 0
    if year and result.year == year:
        score += YEAR_POINTS
    return score
