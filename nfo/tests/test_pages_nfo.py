"""The NFO panel of the series page, the local poster, and the library's NFO filter and batch."""

import os

import pytest

from nfo import service
from nfo.progress import mark_queued
from nfo.tests.test_matching import add_show
from nfo.tvshow import TvShowNfo
from nfo.tvshow_xml import to_xml
from tests.fakes.image_files import solid_jpeg

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def panel_action(client, key, **form):
    response = client.post(f"/series/{key}/nfo", form, **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def assert_csp_clean(html: str) -> None:
    assert "style=" not in html
    assert "<script" not in html


def test_the_series_page_loads_the_panel_from_nfo_with_a_link_without_javascript(owner_client, aot):
    page = owner_client.get("/series/attack-on-titan/").content.decode()

    assert 'id="nfo-panel"' in page
    assert 'hx-get="/series/attack-on-titan/nfo" hx-trigger="load"' in page
    assert '<a href="/series/attack-on-titan/nfo">' in page

    without_js = owner_client.get("/series/attack-on-titan/nfo").content.decode()
    assert "<title>Metadata of Attack on Titan" in without_js
    assert 'id="nfo-panel"' in without_js
    assert 'href="/series/attack-on-titan/">Back to Attack on Titan' in without_js


def test_the_panel_says_there_is_no_nfo_and_asks_for_a_tmdb_key(owner_client, aot):
    page = owner_client.get("/series/attack-on-titan/nfo", **HTMX).content.decode()

    assert page.lstrip().startswith('<section id="nfo-panel"')
    assert "no tvshow.nfo" in page
    assert "Add a TMDB API key in Settings" in page
    assert "Create NFO</button>" in page
    assert "disabled>Create NFO" in page


def test_creating_from_the_panel_writes_the_nfo_and_shows_the_local_poster(
    owner_client, aot, tmdb_key, library_root
):
    html = panel_action(owner_client, "attack-on-titan", action="create")

    assert "tvshow.nfo complete" in html
    assert "TMDB 1429" in html
    assert "tvshow.nfo and artwork written." in html
    assert "/series/attack-on-titan/poster.jpg?v=" in html
    assert "Refresh NFO and artwork" in html
    assert_csp_clean(html)
    assert (library_root / aot.folder / "tvshow.nfo").exists()
    page = owner_client.get("/series/attack-on-titan/nfo", **HTMX).content.decode()
    assert "tvshow.nfo complete" in page


def test_the_panel_lists_the_missing_tags_of_an_incomplete_file(owner_client, aot, library_root):
    nfo = TvShowNfo(title="Attack on Titan", year=2013, plot="Walls.", dateadded="2020-01-01")
    (library_root / aot.folder / "tvshow.nfo").write_bytes(to_xml(nfo))

    html = owner_client.get("/series/attack-on-titan/nfo", **HTMX).content.decode()

    assert "tvshow.nfo incomplete" in html
    assert "Missing tags: originaltitle, sorttitle" in html


def test_an_ambiguous_match_offers_the_candidates_and_one_click_picks_one(
    owner_client, frieren_series, tmdb_key
):
    add_show(tmdb_key, 777, "Frieren und die Zauberin")

    html = panel_action(owner_client, "frieren", action="create")

    assert "Which of these is Frieren?" in html
    assert 'name="tmdb_id" value="777"' in html
    assert 'name="tmdb_id" value="209867"' in html
    assert "Use this one" in html
    chosen = panel_action(owner_client, "frieren", action="match", tmdb_id="209867")
    assert "TMDB 209867" in chosen
    assert "set by hand" in chosen
    assert "Which of these" not in chosen
    assert "(TMDB has no data for these)" in chosen


def test_the_tmdb_id_may_be_given_as_a_themoviedb_address(owner_client, aot, tmdb_key):
    html = panel_action(
        owner_client,
        "attack-on-titan",
        action="match",
        tmdb_id="https://www.themoviedb.org/tv/209867-frieren",
    )

    assert "TMDB 209867" in html


def test_an_id_that_is_not_one_is_explained(owner_client, aot, tmdb_key):
    html = panel_action(owner_client, "attack-on-titan", action="match", tmdb_id="abc")

    assert "Enter a TMDB id" in html
    assert tmdb_key.api_requests() == []


def test_a_rejected_key_is_shown_on_the_panel(owner_client, aot, fake_tmdb, monkeypatch):
    monkeypatch.setenv("TMDB_API_KEY", "0" * 32)

    html = panel_action(owner_client, "attack-on-titan", action="refresh")

    assert "TMDB rejected the API key" in html
    assert "TMDB key rejected" in html


def test_without_htmx_a_post_goes_back_to_the_series_page(owner_client, aot, tmdb_key):
    response = owner_client.post("/series/attack-on-titan/nfo", {"action": "create"})

    assert response.status_code == 302
    assert response["Location"] == "/series/attack-on-titan/"


class TestPoster:
    def test_the_poster_is_served_from_the_series_folder(self, owner_client, aot, library_root):
        (library_root / aot.folder / "poster.jpg").write_bytes(solid_jpeg())

        response = owner_client.get("/series/attack-on-titan/poster.jpg")

        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content) == solid_jpeg()
        assert "no-cache" in response["Cache-Control"]

    def test_the_versioned_address_may_be_cached(self, owner_client, aot, library_root):
        poster = library_root / aot.folder / "poster.jpg"
        poster.write_bytes(solid_jpeg())

        response = owner_client.get(
            f"/series/attack-on-titan/poster.jpg?v={poster.stat().st_mtime_ns}"
        )

        assert response["Cache-Control"] == "private, max-age=86400"

    def test_no_poster_is_a_404(self, owner_client, aot):
        assert owner_client.get("/series/attack-on-titan/poster.jpg").status_code == 404

    def test_a_poster_linked_to_a_file_elsewhere_is_not_served(
        self, owner_client, aot, make_series, library_root, tmp_path
    ):
        secret = tmp_path / "secret.jpg"
        secret.write_bytes(solid_jpeg())
        os.symlink(secret, library_root / aot.folder / "poster.jpg")
        other = make_series("other", "Other", 2000)
        (library_root / other.folder / "cover.jpg").write_bytes(solid_jpeg())
        os.symlink(library_root / other.folder / "cover.jpg", library_root / "poster.jpg")

        assert owner_client.get("/series/attack-on-titan/poster.jpg").status_code == 404

    def test_a_series_folder_outside_the_library_is_refused(
        self, owner_client, make_series, library_root, tmp_path
    ):
        outside = tmp_path / "outside"
        outside.mkdir()
        (outside / "poster.jpg").write_bytes(solid_jpeg())
        make_series("escape", "Escape", folder="../outside")

        assert owner_client.get("/series/escape/poster.jpg").status_code == 404

    def test_anonymous_visitors_are_sent_to_the_login(self, client, configured, aot):
        response = client.get("/series/attack-on-titan/poster.jpg")

        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


class TestLibraryPage:
    def test_the_library_can_show_only_series_lacking_an_nfo(
        self, owner_client, aot, frieren_series, tmdb_key
    ):
        service.create_or_refresh(aot)

        page = owner_client.get("/library/?nfo=missing").content.decode()

        assert 'name="nfo" value="missing" checked' in page
        assert "/series/frieren/" in page
        assert "/series/attack-on-titan/" not in page
        assert "Write missing NFOs" in page

    def test_write_missing_nfos_runs_a_batch_and_shows_its_result(
        self, owner_client, aot, frieren_series, tmdb_key, library_root
    ):
        response = owner_client.post("/library/nfo-batch", **HTMX)

        html = response.content.decode()
        assert "Last NFO batch: 2 written." in html
        assert (library_root / aot.folder / "tvshow.nfo").exists()
        assert owner_client.get("/library/nfo-batch", **HTMX).status_code == 286

    def test_the_batch_panel_polls_while_a_batch_is_queued(self, owner_client):
        mark_queued("batch", 3)

        response = owner_client.get("/library/nfo-batch", **HTMX)

        assert response.status_code == 200
        assert 'hx-trigger="every 2s"' in response.content.decode()
        assert "0 of 3" in response.content.decode()

    def test_without_a_tmdb_key_the_batch_says_what_is_missing(self, owner_client, aot):
        html = owner_client.post("/library/nfo-batch", **HTMX).content.decode()

        assert "No TMDB API key is configured" in html
