"""The aniworld.to provider against a fake aniworld.to on 127.0.0.1."""

import pytest

from aniworld.errors import ChallengeError
from aniworld.languages import Language
from library.providers.base import ProviderError
from tests.fakes.index_sites import PLACEHOLDER
from tests.fakes.server import Reply

G_DUB, G_SUB, E_SUB = Language.GERMAN_DUB, Language.GERMAN_SUB, Language.ENGLISH_SUB


def page(body: str) -> Reply:
    return Reply(200, f"<!doctype html><html><body>{body}</body></html>")


# -- search ----------------------------------------------------------------------------


def test_it_keeps_only_series_links_from_search(aniworld, aniworld_site):
    results = aniworld.search("Titan")

    assert [r.key for r in results] == ["attack-on-titan"]
    assert results[0].url == f"{aniworld_site.url}/anime/stream/attack-on-titan"
    assert results[0].site == "aniworld.to"


def test_search_titles_lose_their_highlighting_and_entities(aniworld):
    (result,) = aniworld.search("Paradise")

    assert result.name == "Hell's Paradise"
    assert result.description.startswith("Gabimaru & Sagiri")


def test_search_falls_back_to_the_series_search_when_the_ajax_search_is_gone(
    aniworld, aniworld_site
):
    aniworld_site.server.route("POST", r"/ajax/search", lambda request: Reply(404, "gone"))

    (result,) = aniworld.search("titan")

    assert result.key == "attack-on-titan"
    assert result.year == 2013
    assert result.cover_url == f"{aniworld_site.url}/public/img/cover/attack-on-titan_150x225.jpg"
    assert "/ajax/seriesSearch" in aniworld_site.requested_paths()


def test_search_falls_back_when_the_ajax_search_answers_html(aniworld, aniworld_site):
    aniworld_site.server.route("POST", r"/ajax/search", lambda request: page("<p>Wartung</p>"))

    assert [r.name for r in aniworld.search("ogre")] == ["The Ogre's Bride"]


def test_search_without_any_usable_endpoint_names_them(aniworld, aniworld_site):
    aniworld_site.server.route("POST", r"/ajax/search", lambda request: Reply(404))
    aniworld_site.server.route("GET", r"/ajax/seriesSearch", lambda request: Reply(404))

    with pytest.raises(ProviderError, match="/ajax/seriesSearch"):
        aniworld.search("titan")


def test_an_empty_query_asks_nobody(aniworld, aniworld_site):
    assert aniworld.search("   ") == []
    assert aniworld_site.requested_paths() == []


def test_search_accepts_absolute_links_and_trailing_slashes(aniworld, aniworld_site):
    hits = (
        '[{"title": "<em>Naruto</em>", "description": "", '
        f'"link": "{aniworld_site.url}/anime/stream/naruto/"}}]'
    )
    aniworld_site.server.route(
        "POST", r"/ajax/search", lambda request: Reply(200, hits, content_type="application/json")
    )

    assert [r.key for r in aniworld.search("naruto")] == ["naruto"]


# -- series page ------------------------------------------------------------------------


def test_it_reads_every_field_of_a_series_page(aniworld, aniworld_site):
    series = aniworld.series("attack-on-titan")

    assert series.name == "Attack on Titan"
    assert series.site == "aniworld.to"
    assert series.url == f"{aniworld_site.url}/anime/stream/attack-on-titan"
    assert series.alternative_titles == ["Shingeki no Kyojin", "進撃の巨人"]
    assert (series.year_start, series.year_end) == (2013, 2023)
    assert series.fsk == 16
    assert series.imdb_id == "tt2560140"
    assert series.genres == ["Action", "Drama", "Fantasy"]
    assert series.directors == ["Tetsurō Araki"]
    assert series.actors == ["Yūki Kaji", "Yui Ishikawa"]


def test_the_description_is_the_full_one_not_the_shortened_text(aniworld):
    series = aniworld.series("attack-on-titan")

    assert series.description == (
        "Die Menschheit lebt hinter Mauern & fürchtet die Titanen. Eren schwört Rache."
    )


def test_the_cover_is_the_lazy_loaded_image_as_an_absolute_url(aniworld, aniworld_site):
    cover = aniworld.series("attack-on-titan").cover_url

    assert cover == f"{aniworld_site.url}/public/img/cover/attack-on-titan-stream-cover_220x330.jpg"


def test_films_count_as_season_zero(aniworld):
    assert aniworld.series("attack-on-titan").season_numbers == [0, 1, 2]
    assert aniworld.series("hells-paradise").season_numbers == [1]


def test_entities_in_titles_are_decoded_and_a_running_series_has_no_end_year(aniworld):
    series = aniworld.series("hells-paradise")

    assert series.name == "Hell's Paradise"
    assert series.year_end is None
    assert series.genres == ["Action", "Übernatürlich"]


def test_a_terse_page_in_another_order_with_double_escaped_entities_still_parses(
    aniworld, aniworld_site
):
    markup = """
      <div class="seriesCoverBox big"><img src="https://cdn.example/cover.jpg"></div>
      <div class="series-title extra"><h1 data-alternativeTitles=" A , B ,, A" itemprop="name">
        <span>  I&amp;#039;m   Titan </span></h1></div>
      <div id="stream" class="hosterSiteDirectNav wide"><ul>
        <li><a href="https://aniworld.to/anime/stream/z/staffel-2/">2</a></li>
        <li><a href="/anime/stream/z/filme/">Filme</a></li>
        <li><a href="/anime/stream/z/staffel-2/episode-1">1</a></li></ul></div>"""
    aniworld_site.server.route("GET", r"/anime/stream/z", lambda request: page(markup))

    series = aniworld.series("z")

    assert series.name == "I'm Titan"
    assert series.alternative_titles == ["A", "B"]
    assert series.season_numbers == [0, 2]
    assert series.cover_url == "https://cdn.example/cover.jpg"
    assert (series.description, series.fsk, series.year_start, series.genres) == (
        "",
        None,
        None,
        [],
    )


# -- season pages -------------------------------------------------------------------


def test_it_lists_the_episodes_of_a_season(aniworld, aniworld_site):
    first, second, third = aniworld.episodes("attack-on-titan", 1)

    assert (first.season, first.number) == (1, 1)
    assert first.url == f"{aniworld_site.url}/anime/stream/attack-on-titan/staffel-1/episode-1"
    assert (first.title_de, first.title_en) == ("Dir, in 2000 Jahren", "To You, in 2000 Years")
    assert first.languages == {G_DUB, G_SUB, E_SUB}
    assert second.number == 2
    assert third.title_en == ""


def test_hoster_names_are_normalised_to_the_canonical_spelling(aniworld):
    first = aniworld.episodes("attack-on-titan", 1)[0]

    assert first.hosters == ["VOE", "Vidoza", "Doodstream"]


def test_an_episode_without_hosters_is_only_announced(aniworld):
    episodes = aniworld.episodes("attack-on-titan", 1)

    assert [e.available for e in episodes] == [True, True, False]


def test_languages_come_from_the_flag_file_names(aniworld):
    (episode,) = aniworld.episodes("attack-on-titan", 2)

    assert episode.languages == {G_SUB, E_SUB}
    assert (episode.title_de, episode.title_en) == ("", "Beast Titan")


def test_films_are_read_from_the_films_page_as_season_zero(aniworld, aniworld_site):
    (film,) = aniworld.episodes("attack-on-titan", 0)

    assert (film.season, film.number) == (0, 1)
    assert film.url == f"{aniworld_site.url}/anime/stream/attack-on-titan/filme/film-1"
    assert film.title_de == "Teil 1: Pfeil und Bogen"
    assert "/anime/stream/attack-on-titan/filme" in aniworld_site.requested_paths()


def test_links_to_the_canonical_domain_stay_on_the_configured_mirror(aniworld, aniworld_site):
    row = (
        '<table class="seasonEpisodesList"><tr itemtype="https://schema.org/Episode">'
        '<td><a itemprop="url" href="https://aniworld.to/anime/stream/x/staffel-1/episode-7/">7</a></td>'
        '<td class="seasonEpisodeTitle"><a><strong> Sieben </strong></a></td>'
        f'<td><img class="flag lazy" src="{PLACEHOLDER}" data-src="/img/japanese-english.svg"></td>'
        "</tr></table>"
    )
    aniworld_site.server.route("GET", r"/anime/stream/x/staffel-1", lambda request: page(row))

    (episode,) = aniworld.episodes("x", 1)

    assert episode.number == 7
    assert episode.url == f"{aniworld_site.url}/anime/stream/x/staffel-1/episode-7/"
    assert episode.title_de == "Sieben"
    assert episode.languages == {E_SUB}
    assert not episode.available


def test_all_episodes_collects_every_season_of_the_series(aniworld):
    seasons = aniworld.all_episodes("the-ogres-bride")

    assert list(seasons) == [1]
    assert [e.number for e in seasons[1]] == [10, 11]


# -- episode pages -----------------------------------------------------------------


def test_it_lists_one_link_per_hoster_and_language(aniworld, aniworld_site):
    url = f"{aniworld_site.url}/anime/stream/attack-on-titan/staffel-1/episode-2"

    links = aniworld.links(url)

    assert {(link.hoster, link.language) for link in links} == {
        (hoster, language) for hoster in ("VOE", "Vidoza") for language in (G_DUB, G_SUB, E_SUB)
    }
    voe_sub = next(link for link in links if (link.hoster, link.language) == ("VOE", G_SUB))
    link_id = aniworld_site.link_id("attack-on-titan", 1, 2, "VOE", "german-sub")
    assert voe_sub.link_id == link_id
    assert voe_sub.redirect_url == f"{aniworld_site.url}/redirect/{link_id}"


def test_hoster_items_are_read_tolerantly(aniworld, aniworld_site):
    items = """<div class="hosterSiteVideo"><ul>
      <li data-link-id="5" data-lang-key="3"><a href="/redirect/5"><i class="icon Vidmoly"></i></a></li>
      <li data-lang-key=" 4 " data-link-target="https://aniworld.to/redirect/6"><h4> voe </h4></li>
      <li data-lang-key="9" data-link-target="/redirect/7"><h4>VOE</h4></li></ul></div>"""
    aniworld_site.server.route("GET", r"/anime/stream/x/staffel-1/episode-1", lambda r: page(items))

    links = aniworld.links(f"{aniworld_site.url}/anime/stream/x/staffel-1/episode-1")

    assert [(x.hoster, x.language, x.link_id) for x in links] == [
        ("Vidmoly", G_SUB, "5"),
        ("VOE", Language.ENGLISH_DUB, "6"),
    ]
    assert links[1].redirect_url == f"{aniworld_site.url}/redirect/6"


def test_an_announced_episode_has_no_links(aniworld, aniworld_site):
    url = f"{aniworld_site.url}/anime/stream/attack-on-titan/staffel-1/episode-3"

    assert aniworld.links(url) == []


def test_it_resolves_a_redirect_to_the_hoster_embed_url_without_visiting_it(
    aniworld, aniworld_site
):
    link_id = aniworld_site.link_id("attack-on-titan", 0, 1, "VOE", "german-dub")
    # Port 9 (discard) would refuse the connection, should resolve try to fetch it.
    aniworld_site.redirect_to(link_id, "http://127.0.0.1:9/e/abc123")

    (link,) = [
        x for x in aniworld.links("/anime/stream/attack-on-titan/filme/film-1") if x.hoster == "VOE"
    ]

    assert aniworld.resolve(link.redirect_url) == "http://127.0.0.1:9/e/abc123"


def test_it_follows_the_sites_own_redirect_hops(aniworld, aniworld_site):
    aniworld_site.server.route(
        "GET", r"/redirect/77", lambda request: Reply(302, "", {"Location": "/r?t=abc"})
    )
    aniworld_site.server.route(
        "GET", r"/r", lambda request: Reply(302, "", {"Location": "https://voe.example/e/77"})
    )

    assert aniworld.resolve(f"{aniworld_site.url}/redirect/77") == "https://voe.example/e/77"


def test_a_redirect_that_does_not_redirect_is_a_clear_error(aniworld, aniworld_site):
    aniworld_site.server.route("GET", r"/redirect/78", lambda request: page("Captcha"))

    with pytest.raises(ProviderError, match="redirect"):
        aniworld.resolve(f"{aniworld_site.url}/redirect/78")


# -- new episodes --------------------------------------------------------------------


def test_new_episodes_list_one_entry_per_language_row(aniworld, aniworld_site):
    entries = aniworld.new_episodes()

    assert [(e.series_key, e.season, e.episode, e.language) for e in entries] == [
        ("the-ogres-bride", 1, 11, G_SUB),
        ("the-ogres-bride", 1, 11, Language.ENGLISH_SUB),
        ("hells-paradise", 1, 2, G_DUB),
    ]
    assert entries[0].series_name == "The Ogre's Bride"
    assert (
        entries[0].url == f"{aniworld_site.url}/anime/stream/the-ogres-bride/staffel-1/episode-11"
    )
    assert str(entries[0].published) == "2026-09-12"


# -- a broken or defended site ----------------------------------------------------------


@pytest.mark.parametrize(
    ("removed", "call", "element"),
    [
        ("div.series-title", lambda p: p.series("attack-on-titan"), "div.series-title h1"),
        ("#stream", lambda p: p.series("attack-on-titan"), "div.hosterSiteDirectNav#stream"),
        (
            "table.seasonEpisodesList",
            lambda p: p.episodes("hells-paradise", 1),
            "table.seasonEpisodesList",
        ),
        (
            "table.seasonEpisodesList a",
            lambda p: p.episodes("hells-paradise", 1),
            "a[itemprop=url][href]",
        ),
        (
            "div.hosterSiteVideo",
            lambda p: p.links("/anime/stream/hells-paradise/staffel-1/episode-1"),
            "div.hosterSiteVideo",
        ),
        ("div.newEpisodeList", lambda p: p.new_episodes(), "div.newEpisodeList"),
    ],
)
def test_a_missing_element_is_a_provider_error_naming_page_and_element(
    aniworld, aniworld_site, removed, call, element
):
    aniworld_site.remove(removed)

    with pytest.raises(ProviderError) as caught:
        call(aniworld)

    assert caught.value.element == element
    assert caught.value.url.startswith(aniworld_site.url)
    assert caught.value.url in str(caught.value)
    assert element in str(caught.value)


@pytest.mark.parametrize("status", [403, 503])
def test_a_challenge_page_is_a_challenge_error(aniworld, aniworld_site, status):
    aniworld_site.serve_challenge(status)

    with pytest.raises(ChallengeError):
        aniworld.series("attack-on-titan")


def test_the_search_reports_a_challenge_instead_of_falling_back(aniworld, aniworld_site):
    aniworld_site.serve_challenge(503)

    with pytest.raises(ChallengeError):
        aniworld.search("titan")


def test_a_server_error_once_is_retried(aniworld, aniworld_site):
    aniworld_site.fail_next(1)

    assert aniworld.series("attack-on-titan").name == "Attack on Titan"
    assert aniworld_site.requested_paths().count("/anime/stream/attack-on-titan") == 2
