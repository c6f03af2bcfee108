import json
import socket
import time

import pytest

from nfo.tmdb import (
    TmdbAuthError,
    TmdbClient,
    TmdbError,
    TmdbNotFound,
    TmdbRateLimited,
    TmdbUnavailable,
    looks_like_read_token,
)
from tests.fakes.server import Reply
from tests.fakes.tmdb import FAKE_API_KEY, FAKE_READ_TOKEN
from tests.fakes.tmdb_shows import FakeShow


def json_reply(status: int, body) -> Reply:
    return Reply(status, json.dumps(body), content_type="application/json")


class TestAuthentication:
    def test_it_sends_a_v3_key_as_api_key_parameter(self, tmdb, fake_tmdb):
        tmdb.search_tv("Titan")

        request = fake_tmdb.api_requests("/search/tv")[0]
        assert request.arg("api_key") == FAKE_API_KEY
        assert "authorization" not in request.headers

    def test_it_sends_a_read_token_as_bearer_header(self, fake_tmdb):
        TmdbClient(FAKE_READ_TOKEN).search_tv("Titan")

        request = fake_tmdb.api_requests("/search/tv")[0]
        assert request.headers["authorization"] == f"Bearer {FAKE_READ_TOKEN}"
        assert "api_key" not in request.query

    def test_it_tells_keys_from_read_tokens(self):
        assert looks_like_read_token(FAKE_READ_TOKEN)
        assert not looks_like_read_token(FAKE_API_KEY)

    def test_it_reads_the_key_from_the_configuration(self, fake_tmdb, monkeypatch):
        monkeypatch.setenv("TMDB_API_KEY", FAKE_API_KEY)

        assert TmdbClient().details(1429).id == 1429

    def test_a_bad_key_raises_an_auth_error_meant_for_the_settings_page(self, fake_tmdb):
        with pytest.raises(TmdbAuthError) as caught:
            TmdbClient("wrong-key").details(1429)

        assert "Invalid API key" in caught.value.message
        assert "settings" in caught.value.message
        assert caught.value.retryable is False
        assert len(fake_tmdb.api_requests()) == 1  # 401 is not retried

    def test_a_missing_key_fails_without_asking_tmdb(self, fake_tmdb):
        with pytest.raises(TmdbAuthError, match="No TMDB API key"):
            TmdbClient("").search_tv("Titan")

        assert fake_tmdb.api_requests() == []


class TestSearch:
    def test_it_finds_a_series_by_its_german_name(self, tmdb, fake_tmdb):
        results = tmdb.search_tv("Angriff der Titanen")

        assert [(r.id, r.name, r.year) for r in results] == [(1429, "Angriff der Titanen", 2013)]
        assert results[0].original_name == "進撃の巨人"
        assert fake_tmdb.api_requests("/search/tv")[0].arg("language") == "de-DE"

    def test_it_passes_the_year_on(self, tmdb, fake_tmdb):
        assert tmdb.search_tv("Titan", year=2013)
        assert tmdb.search_tv("Titan", year=2020) == []
        assert fake_tmdb.api_requests("/search/tv")[0].arg("first_air_date_year") == "2013"

    def test_an_empty_name_finds_nothing_without_a_request(self, tmdb, fake_tmdb):
        assert tmdb.search_tv("   ") == []
        assert fake_tmdb.api_requests() == []

    def test_it_finds_a_series_by_imdb_id(self, tmdb, fake_tmdb):
        assert [r.id for r in tmdb.find_by_imdb("tt2560140")] == [1429]
        assert fake_tmdb.api_requests("/find/tt2560140")[0].arg("external_source") == "imdb_id"

    def test_an_unknown_imdb_id_finds_nothing(self, tmdb):
        assert tmdb.find_by_imdb("tt0000001") == []


class TestDetails:
    def test_it_asks_for_everything_in_one_request(self, tmdb, fake_tmdb):
        tmdb.details(1429)

        request = fake_tmdb.api_requests("/tv/1429")[0]
        assert request.arg("language") == "de-DE"
        assert request.arg("append_to_response") == (
            "credits,content_ratings,external_ids,images,keywords"
        )
        assert request.arg("include_image_language") == "de,null,en"

    def test_it_parses_the_response_into_typed_fields(self, titan):
        assert titan.name == "Angriff der Titanen"
        assert titan.original_name == "進撃の巨人"
        assert str(titan.first_air_date) == "2013-04-07"
        assert str(titan.last_air_date) == "2023-11-05"
        assert titan.status == "Ended"
        assert titan.episode_run_time == (24,)
        assert titan.genres == ("Animation", "Action & Abenteuer", "Sci-Fi & Fantasy")
        assert titan.keywords == ("Mauer", "basierend auf Manga", "Titanen & <Riesen>")
        assert titan.networks == ("MBS", "NHK G")
        assert titan.production_companies == ("Wit Studio", "MAPPA", "MBS")
        assert titan.origin_country == ("JP",)
        assert (titan.vote_average, titan.vote_count) == (8.664, 7421)
        assert titan.content_rating("DE") == "16"
        assert (titan.external_ids.imdb_id, titan.external_ids.tvdb_id) == ("tt2560140", 267440)

    def test_it_parses_seasons_people_and_images(self, titan):
        assert [(s.number, s.name, s.poster_path) for s in titan.seasons][:2] == [
            (0, "Specials", "/aot-specials.jpg"),
            (1, "Staffel 1", "/aot-s1.jpg"),
        ]
        assert [(c.name, c.character, c.order) for c in titan.cast] == [
            ("Yuki Kaji", "Eren Jäger", 0),
            ("Yui Ishikawa", "Mikasa Ackermann", 1),
            ("Marina Inoue", "Armin Arlert", 2),
        ]
        assert titan.cast[2].profile_path == ""
        assert titan.crew[0].job == "Original Story"
        poster = titan.images.posters[0]
        assert (poster.iso_639_1, poster.width, poster.height) == ("en", 20, 30)
        # The fake honours include_image_language: the Japanese poster is filtered out.
        assert {p.iso_639_1 for p in titan.images.posters} == {"de", "en", None}
        assert len(titan.images.logos) == 1

    def test_empty_german_fields_are_filled_from_english(self, tmdb, fake_tmdb):
        frieren = tmdb.details(209867)

        assert frieren.name == "Frieren – Nach dem Ende der Reise"  # noqa: RUF001
        assert frieren.overview.startswith("The elf mage Frieren")
        fallback = fake_tmdb.api_requests("/tv/209867")[1]
        assert fallback.arg("language") == "en-US"

    def test_a_complete_german_response_needs_no_english_request(self, tmdb, fake_tmdb):
        fake_tmdb.shows[1429].data["tagline"] = "Die Welt ist grausam."

        assert tmdb.details(1429).tagline == "Die Welt ist grausam."
        assert len(fake_tmdb.api_requests("/tv/1429")) == 1

    def test_odd_shapes_are_tolerated(self, frieren):
        assert (frieren.vote_average, frieren.vote_count) == (8.9, 512)
        assert frieren.external_ids.imdb_id == ""
        assert frieren.external_ids.tvdb_id is None
        assert frieren.images.logos == ()
        assert frieren.poster_path == ""
        assert frieren.tagline == ""
        assert frieren.episode_run_time == (25,)  # from the latest episode
        assert frieren.created_by[0].name == "Kanehito Yamada"

    def test_a_response_from_years_ago_is_tolerated(self, tmdb, fake_tmdb):
        fake_tmdb.shows[1396] = FakeShow(
            data={
                "id": 1396,
                "name": "Alte Serie",
                "first_air_date": "",
                "vote_average": "7.5",
                "episode_run_time": ["45", None],
                "genres": None,
                "seasons": [{"season_number": "1", "poster_path": None}],
                "credits": {"cast": [{"name": "A. Nyone", "character": None}]},
                "external_ids": {"imdb_id": "", "tvdb_id": "81189"},
                "images": {
                    "posters": [{"file_path": "/p.jpg", "iso_639_1": "de", "vote_average": "5.3"}]
                },
            }
        )

        details = tmdb.details(1396)

        assert details.first_air_date is None
        assert details.vote_average == 7.5
        assert details.episode_run_time == (45,)
        assert details.genres == ()
        assert details.seasons[0].number == 1
        assert details.cast[0].character == ""
        assert details.external_ids.tvdb_id == 81189
        assert details.images.posters[0].vote_average == 5.3
        assert details.content_ratings == ()

    def test_an_unknown_id_raises_not_found(self, tmdb):
        with pytest.raises(TmdbNotFound, match="could not be found"):
            tmdb.details(999999)

    def test_a_not_found_body_without_success_field_is_understood(self, tmdb, fake_tmdb):
        fake_tmdb.fail_next(
            json_reply(404, {"status_message": "The resource is gone.", "status_code": 34})
        )

        with pytest.raises(TmdbNotFound, match="The resource is gone"):
            tmdb.details(1429)

    def test_the_errors_list_shape_is_understood(self, tmdb, fake_tmdb):
        fake_tmdb.fail_next(json_reply(422, {"errors": ["query must be provided"]}))

        with pytest.raises(TmdbError, match="query must be provided"):
            tmdb.search_tv("Titan")


class TestConfiguration:
    def test_it_reads_image_sizes_once(self, tmdb, fake_tmdb):
        first = tmdb.configuration()
        second = tmdb.configuration()

        assert first is second
        assert first.base_url == f"{fake_tmdb.image_url}/"
        assert "original" in first.poster_sizes
        assert "w185" in first.profile_sizes
        assert len(fake_tmdb.api_requests("/configuration")) == 1

    def test_image_urls_use_the_configured_image_host(self, tmdb, fake_tmdb):
        assert tmdb.image_url("/x.jpg", "w500") == f"{fake_tmdb.image_url}/w500/x.jpg"
        assert tmdb.image_url("/x.jpg") == f"{fake_tmdb.image_url}/original/x.jpg"
        assert tmdb.image_url("") == ""


class TestTrouble:
    def test_a_rate_limit_is_waited_out_as_retry_after_says(self, tmdb, fake_tmdb):
        fake_tmdb.rate_limit_next(times=1, retry_after="1")

        started = time.monotonic()
        details = tmdb.details(1429)

        assert details.id == 1429
        assert time.monotonic() - started >= 0.9
        assert len(fake_tmdb.api_requests("/tv/1429")) == 3  # 429, retry, English fallback

    def test_a_lasting_rate_limit_ends_in_a_clear_error(self, tmdb, fake_tmdb):
        fake_tmdb.rate_limit_next(times=20, retry_after="0")

        with pytest.raises(TmdbRateLimited, match="rate limit") as caught:
            tmdb.search_tv("Titan")

        assert caught.value.retryable is True

    def test_lasting_server_errors_mean_tmdb_is_unavailable(self, tmdb, fake_tmdb):
        fake_tmdb.fail_next(json_reply(503, {"status_code": 9, "status_message": "Offline"}), 20)

        with pytest.raises(TmdbUnavailable):
            tmdb.search_tv("Titan")

    def test_a_single_server_error_is_retried(self, tmdb, fake_tmdb):
        fake_tmdb.fail_next(Reply(502, "Bad gateway"))

        assert tmdb.search_tv("Titan")

    def test_a_network_failure_means_tmdb_is_unavailable(self, fake_tmdb):
        with socket.socket() as probe:  # a port nobody listens on
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]

        with pytest.raises(TmdbUnavailable, match="cannot be reached") as caught:
            TmdbClient(FAKE_API_KEY, api_url=f"http://127.0.0.1:{port}/3").details(1429)

        assert caught.value.retryable is True

    def test_an_answer_that_is_not_json_is_an_error(self, tmdb, fake_tmdb):
        fake_tmdb.fail_next(Reply(200, "<html>maintenance</html>"))

        with pytest.raises(TmdbUnavailable, match="not JSON") as caught:
            tmdb.search_tv("Titan")

        assert FAKE_API_KEY not in f"{caught.value.message} {caught.value.url}"
