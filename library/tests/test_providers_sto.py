"""The s.to provider against fakes of the 2026 layout and of the legacy layout."""

import pytest

from aniworld.errors import ChallengeError, RemoteStatusError
from aniworld.languages import Language
from library.providers.base import ProviderError
from tests.fakes.server import Reply

G_DUB, E_DUB, G_SUB = Language.GERMAN_DUB, Language.ENGLISH_DUB, Language.GERMAN_SUB


# -- the 2026 layout ----------------------------------------------------------------------


def test_it_searches_through_the_suggest_api(sto, sto_site):
    (result,) = sto.search("dark")

    assert (result.key, result.name, result.site) == ("dark", "Dark", "s.to")
    assert result.url == f"{sto_site.url}/serie/dark"
    assert sto_site.requested_paths() == ["/api/search/suggest"]


def test_suggested_names_are_plain_text(sto):
    (result,) = sto.search("jerry")

    assert result.name == "Tom & Jerry's Abenteuer"


def test_it_reads_a_series_page_of_the_2026_layout(sto, sto_site):
    series = sto.series("dark")

    assert series.name == "Dark"
    assert series.url == f"{sto_site.url}/serie/dark"
    assert series.description.startswith("Ein Kind verschwindet in Winden")
    assert (series.year_start, series.year_end) == (2017, 2020)
    assert series.fsk == 16
    assert series.imdb_id == "tt5753856"
    assert series.genres == ["Drama", "Mystery"]
    assert series.directors == ["Baran bo Odar"]
    assert series.actors == ["Louis Hofmann", "Lisa Vicari"]
    assert series.cover_url == f"{sto_site.url}/media/images/channel/desktop/dark-x1?format=jpg"
    assert series.season_numbers == [1, 2]


def test_films_are_season_zero_in_the_2026_layout(sto, sto_site):
    assert sto.series("stromberg").season_numbers == [0, 1]

    (film,) = sto.episodes("stromberg", 0)

    assert film.url == f"{sto_site.url}/serie/stromberg/staffel-0/episode-1"
    assert film.title_de == "Stromberg - Der Film"


def test_it_lists_episode_rows_with_titles_languages_and_hosters(sto, sto_site):
    first, second = sto.episodes("dark", 1)

    assert (first.number, first.title_de, first.title_en) == (1, "Geheimnisse", "Secrets")
    assert first.url == f"{sto_site.url}/serie/dark/staffel-1/episode-1"
    assert first.languages == {G_DUB, E_DUB}
    assert second.title_de == "Lügen"
    assert second.hosters == ["VOE", "Doodstream"]


def test_an_english_flag_with_german_subtitles_means_german_subtitles(sto):
    (episode,) = sto.episodes("stromberg", 1)

    assert episode.languages == {G_DUB, G_SUB}


def test_an_episode_row_without_hosters_is_only_announced(sto, sto_site):
    (episode,) = sto.episodes("dark", 2)

    assert not episode.available
    assert sto.links(episode.url) == []


def test_it_reads_the_link_buttons_whatever_their_attribute_order(sto, sto_site):
    links = sto.links(f"{sto_site.url}/serie/dark/staffel-1/episode-2")

    assert {(link.hoster, link.language) for link in links} == {
        ("VOE", G_DUB),
        ("Doodstream", G_DUB),
        ("VOE", E_DUB),
        ("Doodstream", E_DUB),
    }
    link_id = sto_site.link_id("dark", 1, 2, "Doodstream", "english-dub")
    dood = next(link for link in links if link.link_id == link_id)
    assert dood.redirect_url == f"{sto_site.url}/r?t=tok{link_id}"


def test_link_buttons_fall_back_to_the_language_label(sto, sto_site):
    buttons = """<h1>Dark</h1>
      <button class="link-box" data-play-url="https://s.to/r?t=a" data-provider-name="voe"
        data-language-label="Deutsch"></button>
      <button data-language-id="2" data-play-url="/r?t=b" class="btn link-box"
        data-provider-name="Vidoza" data-link-id="8"></button>
      <button class="link-box" data-play-url="/r?t=c" data-provider-name="VOE"
        data-language-label="Japanisch"></button>"""
    sto_site.server.route("GET", r"/serie/dark/staffel-1/episode-9", lambda r: Reply(200, buttons))

    links = sto.links("/serie/dark/staffel-1/episode-9")

    assert [(x.hoster, x.language, x.link_id) for x in links] == [
        ("VOE", G_DUB, ""),
        ("Vidoza", E_DUB, "8"),
    ]
    assert links[0].redirect_url == f"{sto_site.url}/r?t=a"


def test_it_resolves_a_play_url_to_the_hoster(sto, sto_site):
    link_id = sto_site.link_id("dark", 1, 1, "VOE", "german-dub")
    sto_site.redirect_to(link_id, "http://127.0.0.1:9/e/dark1")

    assert sto.resolve(f"{sto_site.url}/r?t=tok{link_id}") == "http://127.0.0.1:9/e/dark1"


def test_the_2026_layout_has_no_new_episodes_list(sto):
    assert sto.new_episodes() == []


@pytest.mark.parametrize(
    ("removed", "call", "element"),
    [
        ("h1", lambda p: p.series("dark"), "h1"),
        ("nav#season-nav", lambda p: p.series("dark"), "nav#season-nav"),
        ("table.episode-table", lambda p: p.episodes("dark", 1), "table.episode-table"),
    ],
)
def test_a_missing_element_of_the_2026_layout_is_a_provider_error(
    sto, sto_site, removed, call, element
):
    sto_site.remove(removed)

    with pytest.raises(ProviderError) as caught:
        call(sto)

    assert caught.value.element == element
    assert sto_site.url in str(caught.value)


def test_a_challenge_on_s_to_is_a_challenge_error(sto, sto_site):
    sto_site.serve_challenge(403)

    with pytest.raises(ChallengeError):
        sto.search("dark")


def test_a_server_error_once_is_retried_on_s_to(sto, sto_site):
    sto_site.fail_next(1)

    assert [e.number for e in sto.episodes("dark", 1)] == [1, 2]


# -- the legacy layout ---------------------------------------------------------------------


def test_it_falls_back_to_the_legacy_search(legacy_sto, legacy_sto_site):
    (result,) = legacy_sto.search("dark")

    assert result.url == f"{legacy_sto_site.url}/serie/stream/dark"
    assert result.year == 2017
    assert legacy_sto_site.requested_paths() == ["/api/search/suggest", "/ajax/seriesSearch"]


def test_it_reads_a_legacy_series_page_with_the_aniworld_markup(legacy_sto, legacy_sto_site):
    series = legacy_sto.series("tom-and-jerry")

    assert series.name == "Tom & Jerry's Abenteuer"
    assert series.url == f"{legacy_sto_site.url}/serie/stream/tom-and-jerry"
    assert series.description == "Katz & Maus."
    assert series.year_end is None


def test_it_remembers_the_layout_so_the_next_page_is_asked_for_directly(
    legacy_sto, legacy_sto_site
):
    legacy_sto.series("dark")
    legacy_sto.episodes("dark", 1)

    assert legacy_sto_site.requested_paths() == [
        "/serie/dark",
        "/serie/stream/dark",
        "/serie/stream/dark/staffel-1",
    ]


def test_legacy_films_live_on_the_films_page(legacy_sto, legacy_sto_site):
    (film,) = legacy_sto.episodes("stromberg", 0)

    assert film.url == f"{legacy_sto_site.url}/serie/stream/stromberg/filme/film-1"


def test_legacy_links_use_the_language_keys(legacy_sto, legacy_sto_site):
    links = legacy_sto.links("/serie/stream/stromberg/staffel-1/episode-1")

    assert {(link.hoster, link.language) for link in links} == {("VOE", G_DUB), ("VOE", G_SUB)}
    assert all("/redirect/" in link.redirect_url for link in links)


def test_a_legacy_language_key_means_what_its_flag_shows(legacy_sto, legacy_sto_site):
    """Legacy s.to numbers its English dub 2 (aniworld.to's English subtitles): the
    flag of the language switch decides, so links and season rows agree."""
    page = """<div class="hosterSiteVideo"><div class="changeLanguageBox">
        <img data-lang-key="1" src="/public/img/german.svg" alt="Deutsch">
        <img data-lang-key="2" src="/public/img/english.svg" alt="Englisch">
        <img data-lang-key="3" title="Englisch mit deutschen Untertiteln"></div>
      <ul class="row">
        <li data-lang-key="1" data-link-id="1" data-link-target="/redirect/1"><h4>VOE</h4></li>
        <li data-lang-key="2" data-link-id="2" data-link-target="/redirect/2"><h4>VOE</h4></li>
        <li data-lang-key="3" data-link-id="3" data-link-target="/redirect/3"><h4>Vidoza</h4></li>
      </ul></div>"""
    path = "/serie/stream/dark/staffel-1/episode-9"
    legacy_sto_site.server.route("GET", path, lambda request: Reply(200, page))

    links = legacy_sto.links(path)

    assert [(link.hoster, link.language) for link in links] == [
        ("VOE", G_DUB),
        ("VOE", E_DUB),
        ("Vidoza", G_SUB),  # no readable flag: the documented key
    ]


def test_legacy_mirrors_list_new_episodes(legacy_sto):
    (entry,) = legacy_sto.new_episodes()

    assert (entry.series_key, entry.season, entry.episode, entry.language) == ("dark", 1, 2, G_DUB)


def test_a_missing_hoster_list_on_a_legacy_page_is_a_provider_error(legacy_sto, legacy_sto_site):
    legacy_sto_site.remove("div.hosterSiteVideo")

    with pytest.raises(ProviderError, match=r"div\.hosterSiteVideo"):
        legacy_sto.links("/serie/stream/dark/staffel-1/episode-1")


def test_a_site_that_switches_layout_is_followed(sto, sto_site):
    assert sto.series("dark").url == f"{sto_site.url}/serie/dark"

    sto_site.layout = "legacy"

    assert sto.series("dark").url == f"{sto_site.url}/serie/stream/dark"
    assert [e.number for e in sto.episodes("dark", 1)] == [1, 2]


def test_an_unknown_series_is_a_404_not_a_layout_error(sto):
    with pytest.raises(RemoteStatusError) as caught:
        sto.series("nope")

    assert caught.value.status_code == 404
