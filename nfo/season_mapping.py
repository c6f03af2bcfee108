"""Which TMDB episode is which of ours: mapping TMDB's seasons onto the index's.

The index (aniworld.to, s.to) and TMDB often cut a series into seasons
differently: one long season of 28 episodes on one side is "season 1" with 12
and "season 2" with 16 on the other, or the reverse. Our numbers are the ones
that count (they are in the file names), so TMDB's data is moved onto them.

The rule, for the whole series at once:

1. Season 0 (films on the index, specials on TMDB) maps by episode number.
2. Regular seasons keep their numbers ("same numbers") when each of our regular
   episodes SxxEyy has a counterpart on TMDB: season xx exists there and has at
   least yy episodes. The yy-th episode of TMDB's season is used, by position,
   because TMDB sometimes numbers a later season on from the previous one (13, 14 …).
   With no regular episodes of ours yet, TMDB's numbers are taken as they are.
3. Otherwise ("absolute order") both sides are laid end to end: our season s
   starts after the highest episode numbers of our earlier seasons added up, TMDB's
   episodes are counted through its regular seasons in order, and the n-th episode
   on one side is the n-th on the other. TMDB episodes past our last season's
   start go into our last season (episodes the index does not list yet).

One rule for the whole series, never a mix per season, so no TMDB episode is
ever given to two of our episodes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from nfo.tmdb_types import TvEpisode, TvSeason

SPECIALS = 0


class MappingRule(StrEnum):
    SAME_NUMBERS = "same_numbers"
    ABSOLUTE = "absolute"


@dataclass(frozen=True)
class MappedEpisode:
    """TMDB's ``source`` episode under our ``season`` and ``episode`` numbers."""

    season: int
    episode: int
    source: TvEpisode


@dataclass(frozen=True)
class SeasonMapping:
    rule: MappingRule
    episodes: tuple[MappedEpisode, ...]

    def season_sources(self) -> dict[int, int]:
        """Our season → the TMDB season its first mapped episode comes from."""
        first: dict[int, MappedEpisode] = {}
        for mapped in self.episodes:
            known = first.get(mapped.season)
            if known is None or mapped.episode < known.episode:
                first[mapped.season] = mapped
        return {season: mapped.source.season_number for season, mapped in first.items()}


def map_seasons(ours: Mapping[int, Iterable[int]], seasons: Sequence[TvSeason]) -> SeasonMapping:
    """Map TMDB's ``seasons`` onto ``ours`` (our season → its episode numbers)."""
    specials = [
        MappedEpisode(SPECIALS, episode.episode_number, episode)
        for season in seasons
        if season.number == SPECIALS
        for episode in season.episodes
        if episode.episode_number > 0
    ]
    ours_regular = {
        season: sorted(set(numbers)) for season, numbers in ours.items() if season != SPECIALS
    }
    ours_regular = {season: numbers for season, numbers in ours_regular.items() if numbers}
    tmdb_regular = sorted(
        (season for season in seasons if season.number != SPECIALS and season.episodes),
        key=lambda season: season.number,
    )
    if _fits_same_numbers(ours_regular, tmdb_regular):
        rule, regular = MappingRule.SAME_NUMBERS, _same_numbers(tmdb_regular)
    else:
        rule, regular = MappingRule.ABSOLUTE, _absolute(ours_regular, tmdb_regular)
    return SeasonMapping(rule, tuple(specials + regular))


def _fits_same_numbers(ours: dict[int, list[int]], tmdb: list[TvSeason]) -> bool:
    sizes = {season.number: len(season.episodes) for season in tmdb}
    return all(
        season in sizes and max(numbers) <= sizes[season] for season, numbers in ours.items()
    )


def _same_numbers(tmdb: list[TvSeason]) -> list[MappedEpisode]:
    return [
        MappedEpisode(season.number, position, episode)
        for season in tmdb
        for position, episode in enumerate(season.episodes, start=1)
    ]


def _absolute(ours: dict[int, list[int]], tmdb: list[TvSeason]) -> list[MappedEpisode]:
    # Where each of our seasons starts in the absolute count (0-based offset).
    starts: list[tuple[int, int]] = []
    offset = 0
    for season in sorted(ours):
        starts.append((season, offset))
        offset += max(ours[season])
    flat = [episode for season in tmdb for episode in season.episodes]
    mapped = []
    for absolute, episode in enumerate(flat, start=1):
        season, start = next((s, o) for s, o in reversed(starts) if o < absolute)
        mapped.append(MappedEpisode(season, absolute - start, episode))
    return mapped
