"""Mapping TMDB's seasons onto ours: same numbers when they fit, else absolute order."""

from datetime import date

from nfo.season_mapping import MappingRule, map_seasons
from nfo.tmdb_types import TvEpisode, TvSeason


def season(number: int, count: int, first_number: int = 1, poster: str = "") -> TvSeason:
    return TvSeason(
        number=number,
        name=f"Staffel {number}",
        poster_path=poster,
        episodes=tuple(
            TvEpisode(
                id=number * 1000 + n,
                season_number=number,
                episode_number=n,
                name=f"S{number}E{n}",
                overview="",
                air_date=date(2020, 1, 1),
                runtime=24,
                still_path="",
            )
            for n in range(first_number, first_number + count)
        ),
    )


def as_codes(mapping) -> dict[tuple[int, int], tuple[int, int]]:
    """Our (season, episode) → TMDB's (season, episode)."""
    return {
        (m.season, m.episode): (m.source.season_number, m.source.episode_number)
        for m in mapping.episodes
    }


def test_matching_seasons_keep_their_numbers():
    mapping = map_seasons({1: [1, 2, 3], 2: [1]}, [season(1, 12), season(2, 12)])

    assert mapping.rule == MappingRule.SAME_NUMBERS
    codes = as_codes(mapping)
    assert codes[(1, 3)] == (1, 3)
    assert codes[(2, 1)] == (2, 1)
    # TMDB's announced episodes beyond ours keep their numbers too.
    assert codes[(2, 12)] == (2, 12)


def test_one_long_season_of_ours_takes_tmdbs_seasons_end_to_end():
    mapping = map_seasons({1: list(range(1, 29))}, [season(1, 12), season(2, 16)])

    assert mapping.rule == MappingRule.ABSOLUTE
    codes = as_codes(mapping)
    assert codes[(1, 12)] == (1, 12)
    assert codes[(1, 13)] == (2, 1)
    assert codes[(1, 28)] == (2, 16)
    assert len(codes) == 28


def test_our_split_seasons_take_one_long_tmdb_season_in_order():
    mapping = map_seasons({1: list(range(1, 13)), 2: list(range(1, 14))}, [season(1, 25)])

    assert mapping.rule == MappingRule.ABSOLUTE
    codes = as_codes(mapping)
    assert codes[(1, 12)] == (1, 12)
    assert codes[(2, 1)] == (1, 13)
    assert codes[(2, 13)] == (1, 25)


def test_tmdb_episodes_past_our_last_season_go_into_it():
    mapping = map_seasons({1: list(range(1, 13)), 2: [1, 2]}, [season(1, 26)])

    codes = as_codes(mapping)
    assert codes[(2, 14)] == (1, 26)


def test_a_tmdb_season_numbered_on_from_the_last_maps_by_position():
    mapping = map_seasons({1: [1, 2], 2: [1, 2]}, [season(1, 12), season(2, 12, first_number=13)])

    assert mapping.rule == MappingRule.SAME_NUMBERS
    assert as_codes(mapping)[(2, 1)] == (2, 13)


def test_gaps_in_our_numbering_count_by_the_highest_number():
    # Our season 1 lists 1, 2 and 5 (3 and 4 not on the index): season 2 starts after 5.
    mapping = map_seasons({1: [1, 2, 5], 2: [1]}, [season(1, 8)])

    assert as_codes(mapping)[(2, 1)] == (1, 6)


def test_specials_map_by_number_whatever_the_regular_seasons_do():
    mapping = map_seasons(
        {0: [1], 1: list(range(1, 29))}, [season(0, 3), season(1, 12), season(2, 16)]
    )

    codes = as_codes(mapping)
    assert codes[(0, 1)] == (0, 1)
    assert codes[(0, 3)] == (0, 3)
    assert mapping.rule == MappingRule.ABSOLUTE


def test_without_episodes_of_ours_tmdbs_numbers_are_taken():
    mapping = map_seasons({}, [season(1, 2), season(3, 2)])

    assert mapping.rule == MappingRule.SAME_NUMBERS
    assert set(as_codes(mapping)) == {(1, 1), (1, 2), (3, 1), (3, 2)}


def test_no_tmdb_episode_is_given_to_two_of_ours():
    mapping = map_seasons({1: [1, 2], 2: list(range(1, 20))}, [season(1, 10), season(2, 5)])

    sources = [(m.source.season_number, m.source.episode_number) for m in mapping.episodes]
    assert len(sources) == len(set(sources))


def test_each_of_our_seasons_knows_the_tmdb_season_it_starts_in():
    mapping = map_seasons({1: list(range(1, 13)), 2: list(range(1, 14))}, [season(1, 25)])
    assert mapping.season_sources() == {1: 1, 2: 1}

    mapping = map_seasons({1: list(range(1, 29))}, [season(0, 1), season(1, 12), season(2, 16)])
    assert mapping.season_sources() == {0: 0, 1: 1}
