import json
from dataclasses import replace
from datetime import date, datetime

import pytest

from nfo.tmdb_types import ContentRating, TmdbImage, TvImages
from nfo.tvshow import Actor, NamedSeason, Rating, Thumb, UniqueId, clean_text
from nfo.tvshow_mapping import from_tmdb, outline_of

IMAGES = "https://img.example/t/p"
ADDED = datetime(2024, 5, 1, 18, 30, 5)


def nfo_of(details, **changes):
    return from_tmdb(replace(details, **changes), IMAGES, added=ADDED)


def test_titles_year_and_premiere_come_from_the_german_details(titan):
    nfo = nfo_of(titan)

    assert nfo.title == "Angriff der Titanen"
    assert nfo.originaltitle == "進撃の巨人"
    assert nfo.sorttitle == "Angriff der Titanen"
    assert nfo.year == 2013
    assert nfo.premiered == "2013-04-07"


@pytest.mark.parametrize(
    ("tmdb_status", "status"),
    [
        ("Returning Series", "Continuing"),
        ("In Production", "Continuing"),
        ("Planned", "Continuing"),
        ("Pilot", "Continuing"),
        ("Ended", "Ended"),
        ("Canceled", "Ended"),
    ],
)
def test_the_status_is_one_of_the_two_values_jellyfin_reads(titan, tmdb_status, status):
    assert nfo_of(titan, status=tmdb_status).status == status


def test_an_unknown_status_of_a_show_in_production_is_continuing(titan):
    assert nfo_of(titan, status="Something New", in_production=True).status == "Continuing"
    assert nfo_of(titan, status="", in_production=False).status == ""


def test_the_end_date_is_written_only_for_ended_shows(titan):
    assert nfo_of(titan).enddate == "2023-11-05"
    assert nfo_of(titan, status="Returning Series").enddate == ""


def test_the_outline_is_the_first_sentence_of_the_plot(titan):
    nfo = nfo_of(titan)

    assert nfo.plot.startswith("Seit über hundert Jahren")
    assert nfo.plot.endswith("Aufklärungstrupp bei.")
    assert nfo.outline == (
        "Seit über hundert Jahren lebt die Menschheit hinter gewaltigen Mauern, "
        "die sie vor den menschenfressenden Titanen schützen."
    )


def test_short_first_sentences_are_joined_with_the_next_ones():
    plot = "Eren kämpft. Mikasa auch. Armin denkt nach, z. B. über die Mauern und was dahinter liegt. Ende."

    assert outline_of(plot) == (
        "Eren kämpft. Mikasa auch. Armin denkt nach, z. B. über die Mauern und was dahinter liegt."
    )


def test_a_plot_without_sentence_end_is_its_own_outline():
    assert outline_of("Ein Abenteuer ohne Punkt") == "Ein Abenteuer ohne Punkt"
    assert outline_of("") == ""


def test_an_empty_german_overview_falls_back_to_english(frieren):
    nfo = nfo_of(frieren)

    assert nfo.plot.startswith("The elf mage Frieren outlives")
    assert nfo.outline.startswith("The elf mage Frieren outlives")


def test_runtime_is_in_minutes_and_falls_back_to_the_latest_episode(titan, frieren):
    assert nfo_of(titan).runtime == 24
    assert nfo_of(frieren).runtime == 25
    assert nfo_of(titan, episode_run_time=()).runtime is None


@pytest.mark.parametrize(
    ("rating", "mpaa"),
    [("16", "FSK 16"), ("12", "FSK 12"), ("0", "FSK 0"), ("FSK 18", "FSK 18"), ("ab 6", "FSK 6")],
)
def test_mpaa_is_the_german_fsk_rating(titan, rating, mpaa):
    ratings = (ContentRating("US", "TV-MA"), ContentRating("DE", rating))

    assert nfo_of(titan, content_ratings=ratings).mpaa == mpaa


def test_without_a_german_rating_the_american_one_is_used(titan, frieren):
    assert nfo_of(titan, content_ratings=(ContentRating("US", "TV-14"),)).mpaa == "TV-14"
    assert nfo_of(frieren).mpaa == ""


def test_the_tmdb_rating_is_the_default_rating_with_votes(titan, frieren):
    assert nfo_of(titan).ratings == [Rating("tmdb", 8.664, 7421, 10, True)]
    assert nfo_of(frieren).ratings == [Rating("tmdb", 8.9, 512, 10, True)]


def test_a_show_without_votes_gets_no_rating(titan):
    assert nfo_of(titan, vote_average=0.0, vote_count=0).ratings == []


def test_unique_ids_and_episode_guide_name_every_known_id(titan):
    nfo = nfo_of(titan)

    assert nfo.uniqueids == [
        UniqueId("tmdb", "1429", True),
        UniqueId("imdb", "tt2560140"),
        UniqueId("tvdb", "267440"),
    ]
    assert json.loads(nfo.episodeguide) == {"tmdb": "1429", "imdb": "tt2560140", "tvdb": "267440"}


def test_a_show_without_imdb_or_tvdb_id_has_only_the_tmdb_id(frieren):
    nfo = nfo_of(frieren)

    assert nfo.uniqueids == [UniqueId("tmdb", "209867", True)]
    assert nfo.episodeguide == '{"tmdb":"209867"}'


def test_genres_keywords_and_countries_are_listed(titan, frieren):
    nfo = nfo_of(titan)

    assert nfo.genres == ["Animation", "Action & Abenteuer", "Sci-Fi & Fantasy"]
    assert nfo.tags == ["Mauer", "basierend auf Manga", "Titanen & <Riesen>"]
    assert nfo.countries == ["Japan"]
    assert nfo_of(frieren).countries == ["JP"]  # no production countries: origin codes


def test_studios_are_networks_then_companies_without_repeats(titan):
    assert nfo_of(titan).studios == ["MBS", "NHK G", "Wit Studio", "MAPPA"]


def test_credits_are_the_creators_or_else_the_writers(titan, frieren):
    assert nfo_of(frieren).credits == ["Kanehito Yamada"]
    assert nfo_of(titan).credits == ["Hajime Isayama"]


def test_actors_come_in_billing_order_with_their_photos(titan, frieren):
    assert nfo_of(titan).actors == [
        Actor("Yuki Kaji", "Eren Jäger", 0, f"{IMAGES}/w185/kaji.jpg"),
        Actor("Yui Ishikawa", "Mikasa Ackermann", 1, f"{IMAGES}/w185/ishikawa.jpg"),
        Actor("Marina Inoue", "Armin Arlert", 2, ""),
    ]
    assert nfo_of(frieren).actors == [Actor("Atsumi Tanezaki", "Frieren", 0, "")]


def test_thumbs_are_poster_then_clearlogo_then_landscape_then_season_posters(titan):
    assert nfo_of(titan).thumbs == [
        Thumb(f"{IMAGES}/original/aot-poster-de.jpg", "poster"),
        Thumb(f"{IMAGES}/original/aot-logo-en.png", "clearlogo"),
        Thumb(f"{IMAGES}/original/aot-backdrop-de.jpg", "landscape"),
        Thumb(f"{IMAGES}/original/aot-specials.jpg", "poster", 0),
        Thumb(f"{IMAGES}/original/aot-s1.jpg", "poster", 1),
        Thumb(f"{IMAGES}/original/aot-s4.jpg", "poster", 4),
    ]


def test_fanart_is_the_best_textless_backdrop(titan):
    assert nfo_of(titan).fanart == [f"{IMAGES}/original/aot-backdrop-plain-2.jpg"]


def test_tmdbs_own_poster_is_used_when_the_image_list_is_empty(titan):
    nfo = nfo_of(titan, images=TvImages())

    assert nfo.thumbs[0] == Thumb(f"{IMAGES}/original/aot-poster-en.jpg", "poster")
    assert nfo.fanart == [f"{IMAGES}/original/aot-backdrop-plain.jpg"]


def test_a_show_without_any_images_has_no_thumbs_or_fanart(frieren):
    nfo = nfo_of(frieren)

    assert nfo.thumbs == []
    assert nfo.fanart == []


def test_an_english_poster_beats_one_in_another_language(titan):
    posters = (
        TmdbImage("/ja.jpg", "ja", 9.0, 50, 20, 30),
        TmdbImage("/en.jpg", "en", 1.0, 1, 20, 30),
    )

    nfo = nfo_of(titan, images=TvImages(posters=posters))

    assert nfo.thumbs[0].url == f"{IMAGES}/original/en.jpg"


def test_named_seasons_carry_the_german_season_names(titan):
    assert nfo_of(titan).namedseasons == [
        NamedSeason(0, "Specials"),
        NamedSeason(1, "Staffel 1"),
        NamedSeason(2, "Staffel 2"),
        NamedSeason(4, "Finale Staffel"),
    ]


def test_date_added_is_the_given_moment_or_now(titan):
    assert nfo_of(titan).dateadded == "2024-05-01 18:30:05"

    now = from_tmdb(titan, IMAGES).dateadded
    assert datetime.strptime(now, "%Y-%m-%d %H:%M:%S").date() == date.today()


def test_odd_characters_and_non_latin_names_pass_through_unchanged(titan):
    nfo = nfo_of(titan, name='Titan & <Riesen> "Mauern"', original_name="進撃の巨人")

    assert nfo.title == 'Titan & <Riesen> "Mauern"'
    assert nfo.originaltitle == "進撃の巨人"
    assert nfo.tagline == 'Humanity\'s last stand <behind> the "Walls" & beyond'


def test_a_missing_name_falls_back_to_the_original_name(titan):
    assert nfo_of(titan, name="").title == "進撃の巨人"


def test_text_is_cleaned_of_what_xml_cannot_hold():
    assert clean_text("  Eins\r\nZwei\x00\x07 ") == "Eins\nZwei"
