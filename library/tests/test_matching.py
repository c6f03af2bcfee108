"""Reading folder names and NFOs like a person would, and scoring index titles."""

import pytest

from library import matching
from library.matching import (
    CONFIDENT,
    FolderFacts,
    folder_facts,
    score,
    search_queries,
    title_similarity,
    words,
)
from library.providers import SearchResult, SeriesInfo


@pytest.mark.parametrize(
    ("name", "title", "year", "imdb"),
    [
        ("Re Zero Kara (2020)", "Re Zero Kara", 2020, ""),
        ("Attack on Titan (2013) [imdbid-tt2560140]", "Attack on Titan", 2013, "tt2560140"),
        ("Attack on Titan (2013) {imdb-tt2560140}", "Attack on Titan", 2013, "tt2560140"),
        ("Attack on Titan [tt2560140]", "Attack on Titan", None, "tt2560140"),
        ("Attack.on.Titan.2013", "Attack on Titan", 2013, ""),
        ("Dark", "Dark", None, ""),
    ],
)
def test_a_folder_name_gives_title_year_and_imdb_id(tmp_path, name, title, year, imdb):
    folder = tmp_path / name
    folder.mkdir()
    facts = folder_facts(folder)
    assert (facts.title, facts.year, facts.imdb_id) == (title, year, imdb)


def test_a_tvshow_nfo_gives_ids_titles_and_year(tmp_path):
    folder = tmp_path / "AoT"
    folder.mkdir()
    (folder / "tvshow.nfo").write_text(
        "<tvshow><title>Angriff der Titanen</title><originaltitle>Shingeki no Kyojin</originaltitle>"
        '<year>2013</year><uniqueid type="tmdb" default="true">1429</uniqueid>'
        '<uniqueid type="imdb">tt2560140</uniqueid></tvshow>'
    )
    facts = folder_facts(folder)
    assert facts.imdb_id == "tt2560140"
    assert facts.tmdb_id == 1429
    assert facts.year == 2013
    assert facts.titles == ["AoT", "Angriff der Titanen", "Shingeki no Kyojin"]


def test_without_a_registered_nfo_reader_only_the_name_counts(tmp_path, monkeypatch):
    monkeypatch.setattr(matching.id_readers, "read_nfo", None)
    folder = tmp_path / "AoT (2013)"
    folder.mkdir()
    (folder / "tvshow.nfo").write_text(
        '<tvshow><uniqueid type="imdb">tt2560140</uniqueid></tvshow>'
    )

    facts = folder_facts(folder)

    assert (facts.title, facts.year, facts.imdb_id) == ("AoT", 2013, "")


def test_an_nfo_that_is_a_link_is_not_followed(tmp_path):
    outside = tmp_path / "elsewhere.nfo"
    outside.write_text('<tvshow><uniqueid type="imdb">tt2560140</uniqueid></tvshow>')
    folder = tmp_path / "Dark"
    folder.mkdir()
    (folder / "tvshow.nfo").symlink_to(outside)
    assert folder_facts(folder).imdb_id == ""


def test_a_broken_nfo_is_ignored(tmp_path):
    folder = tmp_path / "Dark (2017)"
    folder.mkdir()
    (folder / "tvshow.nfo").write_text("<tvshow><title>Dark</ti")
    assert folder_facts(folder).title == "Dark"


def test_queries_go_from_the_whole_name_to_its_longest_words():
    facts = FolderFacts(folder="x", title="Re: Zero Kara")
    assert search_queries(facts) == ["Re: Zero Kara", "re zero kara", "kara", "zero"]


def test_words_ignore_case_accents_and_punctuation():
    assert words("Hell's Paradise: Jigokuraku") == ["hells", "paradise", "jigokuraku"]
    assert words("Pokémon") == ["pokemon"]


def test_similarity_is_one_for_the_same_words_and_high_for_a_shortened_title():
    assert title_similarity("Hells Paradise", "Hell's Paradise") == 1.0
    shortened = title_similarity("Re Zero Kara", 'Re:Zero / Kara? Leben in einer "anderen" Welt')
    assert 0.75 < shortened < CONFIDENT
    assert title_similarity("Dark", "Dark Gathering") < shortened
    assert title_similarity("Naruto", "Bleach") < 0.5


def result(name, year=None):
    return SearchResult(key="k", name=name, site="aniworld.to", url="u", year=year)


def info(name, year=None, imdb=None, alternatives=()):
    return SeriesInfo(
        key="k",
        site="aniworld.to",
        name=name,
        url="u",
        year_start=year,
        imdb_id=imdb,
        alternative_titles=list(alternatives),
    )


def test_an_equal_imdb_id_is_certain_whatever_the_title():
    facts = FolderFacts(folder="x", title="Something else", imdb_id="tt5607616")
    assert score(facts, info("Re:Zero", 2016, "tt5607616"), result("Re:Zero")) == (
        1.0,
        "IMDb id tt5607616 matches",
    )


def test_the_year_raises_or_lowers_the_confidence():
    same = score(FolderFacts("x", "Dark", 2017), info("Dark", 2017), result("Dark"))
    unknown = score(FolderFacts("x", "Dark"), info("Dark", 2017), result("Dark"))
    other = score(FolderFacts("x", "Dark", 2010), info("Dark", 2017), result("Dark"))
    assert same == (1.0, "title 100 % similar, year matches")
    assert unknown[0] == CONFIDENT
    assert other[0] < 0.8
    assert "year differs (2017)" in other[1]


def test_alternative_titles_count_and_are_named_in_the_reason():
    confidence, reason = score(
        FolderFacts("x", "Kimetsu no Yaiba", 2019),
        info("Demon Slayer: Kimetsu no Yaiba", 2019, alternatives=["Kimetsu no Yaiba"]),
        result("Demon Slayer: Kimetsu no Yaiba"),
    )
    assert confidence == 1.0
    assert reason == "title 100 % similar (to 'Kimetsu no Yaiba'), year matches"


def test_a_different_imdb_id_halves_the_confidence():
    confidence, reason = score(
        FolderFacts("x", "Dark", 2017, imdb_id="tt0000001"),
        info("Dark", 2017, "tt5753856"),
        result("Dark"),
    )
    assert confidence == 0.5
    assert "IMDb id differs (tt5753856)" in reason
