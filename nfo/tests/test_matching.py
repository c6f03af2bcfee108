"""Matching library series to TMDB series, against the fake TMDB."""

import copy

import pytest

from nfo.matching import AmbiguousMatch, NoMatch, match_series, normalized, require_found
from nfo.models import MatchStatus, NfoState

pytestmark = pytest.mark.django_db


def add_show(tmdb, tv_id: int, name: str, english: str = "") -> None:
    """Another series on the fake TMDB, shaped like Frieren."""
    show = copy.deepcopy(tmdb.shows[209867])
    show.data.update(id=tv_id, name=name)
    show.english["name"] = english or name
    tmdb.shows[tv_id] = show


def test_a_series_with_an_imdb_id_is_matched_through_find(aot, tmdb, fake_tmdb):
    match = match_series(aot, tmdb)

    assert (match.status, match.tmdb_id) == (MatchStatus.MATCHED, 1429)
    assert "IMDb id tt2560140" in match.message
    assert len(fake_tmdb.api_requests("/find/tt2560140")) == 1
    assert fake_tmdb.api_requests("/search") == []


def test_without_an_imdb_id_the_name_and_year_decide(frieren_series, tmdb, fake_tmdb):
    match = match_series(frieren_series, tmdb)

    assert (match.status, match.tmdb_id) == (MatchStatus.MATCHED, 209867)
    search = fake_tmdb.api_requests("/search/tv")[0]
    assert search.arg("query") == "Frieren"
    assert search.arg("first_air_date_year") == "2023"


def test_an_imdb_id_tmdb_does_not_know_falls_back_to_the_name(make_series, tmdb, fake_tmdb):
    series = make_series("frieren", "Frieren", 2023, imdb_id="tt0000001")

    assert match_series(series, tmdb).tmdb_id == 209867
    assert fake_tmdb.api_requests("/find")
    assert fake_tmdb.api_requests("/search")


def test_a_year_off_by_one_still_finds_the_series(make_series, tmdb):
    series = make_series("frieren", "Frieren", 2024)

    assert match_series(series, tmdb).tmdb_id == 209867


def test_several_equally_good_results_are_reported_not_guessed(frieren_series, tmdb, fake_tmdb):
    add_show(fake_tmdb, 777, "Frieren und die Zauberin")

    match = match_series(frieren_series, tmdb)

    assert match.status == MatchStatus.AMBIGUOUS
    assert match.tmdb_id is None
    assert {c.id for c in match.candidates} == {209867, 777}
    with pytest.raises(AmbiguousMatch) as raised:
        require_found(frieren_series, match)
    assert raised.value.status == 409
    assert {c["id"] for c in raised.value.details["candidates"]} == {209867, 777}


def test_a_title_equal_to_one_of_the_names_picks_one_result(make_series, tmdb, fake_tmdb):
    add_show(fake_tmdb, 777, "Frieren Specials")
    series = make_series(
        "frieren", "Frieren", 2023, alternative_titles=["Frieren - Nach dem Ende der Reise"]
    )
    fake_tmdb.shows[209867].data["name"] = "Frieren - Nach dem Ende der Reise"

    match = match_series(series, tmdb)

    assert (match.status, match.tmdb_id) == (MatchStatus.MATCHED, 209867)


def test_nothing_found_is_reported_as_not_found(make_series, tmdb):
    series = make_series("unknown", "Ganz Unbekannt", 1999)

    match = match_series(series, tmdb)

    assert match.status == MatchStatus.NOT_FOUND
    with pytest.raises(NoMatch, match="Set the TMDB id by hand"):
        require_found(series, match)


def test_an_id_set_by_hand_wins_without_asking_tmdb(aot, tmdb, fake_tmdb):
    state = NfoState.objects.create(series=aot, tmdb_id=209867, match_status=MatchStatus.MANUAL)

    match = match_series(aot, tmdb, state)

    assert (match.status, match.tmdb_id) == (MatchStatus.MANUAL, 209867)
    assert fake_tmdb.api_requests() == []


def test_the_tmdb_id_of_an_existing_nfo_is_trusted(make_series, tmdb, fake_tmdb):
    series = make_series("aot", "Shingeki", 2013)

    match = match_series(series, tmdb, nfo_tmdb_id="1429")

    assert match.tmdb_id == 1429
    assert fake_tmdb.api_requests() == []


def test_after_tmdb_refused_an_id_only_a_fresh_look_up_counts(aot, tmdb):
    aot.tmdb_id = 4242
    state = NfoState.objects.create(series=aot, match_status=MatchStatus.ERROR)

    assert match_series(aot, tmdb, state, nfo_tmdb_id="4242").tmdb_id == 1429


def test_titles_compare_without_case_spaces_and_punctuation():
    assert normalized("Frieren: Beyond Journey's End") == normalized("frieren beyond journeys end")
    assert normalized("進撃の巨人") == "進撃の巨人"
