"""GET /tv/{id}/season/{n}: episodes with air dates, German first, English for the gaps."""

from datetime import date

import pytest

from nfo.tmdb import TmdbNotFound


def test_a_season_lists_its_episodes_with_air_date_name_plot_runtime_and_still(tmdb):
    season = tmdb.season(1429, 1)

    assert season.number == 1
    assert season.poster_path == "/aot-s1.jpg"
    assert len(season.episodes) == 25
    first = season.episodes[0]
    assert (first.season_number, first.episode_number) == (1, 1)
    assert first.name == "Dir, in 2000 Jahren"
    assert first.air_date == date(2013, 4, 7)
    assert first.runtime == 24
    assert first.still_path == "/still-1429-1-1.jpg"
    assert first.id == 14291001
    assert season.episodes[1].air_date == date(2013, 4, 14)


def test_it_asks_in_german_and_fills_an_empty_plot_from_english(tmdb, fake_tmdb):
    season = tmdb.season(1429, 1)

    second = season.episodes[1]
    assert second.name == "Folge 2 auf Deutsch"  # the German name stays
    assert second.overview == "Told only in English."
    assert season.episodes[2].overview == "Was in Folge 3 von Staffel 1 geschieht."
    languages = [r.arg("language") for r in fake_tmdb.api_requests("/tv/1429/season/1")]
    assert languages == ["de-DE", "en-US"]


def test_a_complete_german_season_needs_one_request(tmdb, fake_tmdb):
    for episode in fake_tmdb.shows[209867].episodes[1]:
        episode["overview"] = episode["overview"] or "Deutsch."

    tmdb.season(209867, 1)

    assert len(fake_tmdb.api_requests("/tv/209867/season/1")) == 1


def test_odd_values_are_tolerated(tmdb, fake_tmdb):
    episodes = fake_tmdb.shows[209867].episodes[1]
    episodes[0].update(air_date=None, runtime=None, still_path=None, episode_number="1")
    episodes[1].update(air_date="", runtime="25")

    season = tmdb.season(209867, 1)

    first, second = season.episodes[:2]
    assert (first.episode_number, first.air_date, first.runtime, first.still_path) == (
        1,
        None,
        None,
        "",
    )
    assert (second.air_date, second.runtime) == (None, 25)


def test_an_unknown_season_is_not_found(tmdb):
    with pytest.raises(TmdbNotFound):
        tmdb.season(1429, 3)
