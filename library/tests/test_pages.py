"""The Library and Series pages, and the admin, as a logged-in owner sees them."""

import pytest

from library.models import Series

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("library_root")]


@pytest.fixture
def titan(api, aniworld_site):
    api.post("/api/anime/", {"key": "attack-on-titan", "site": "aniworld.to"}, format="json")
    return Series.objects.get(key="attack-on-titan")


def test_an_empty_library_invites_to_add_a_series(owner_client):
    page = owner_client.get("/library/")
    assert page.status_code == 200
    assert b"Your library is empty" in page.content


def test_the_library_shows_covers_counts_and_filters(owner_client, titan):
    page = owner_client.get("/library/").content.decode()
    assert "Attack on Titan" in page
    assert "4 missing" in page
    partial = owner_client.get(
        "/library/?search=zzz", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="series-list"
    )
    assert partial.content.decode().lstrip().startswith('<div id="series-list"')
    assert b"No series match" in partial.content


def test_the_add_dialog_searches_both_sites_and_adds_with_one_click(
    owner_client, aniworld_site, sto_site
):
    results = owner_client.get("/library/add?q=hell", HTTP_HX_REQUEST="true").content.decode()
    assert "Hell&#x27;s Paradise" in results or "Hell's Paradise" in results
    response = owner_client.post(
        "/library/add", {"site": "aniworld.to", "key": "hells-paradise"}, HTTP_HX_REQUEST="true"
    )
    assert response["HX-Redirect"] == "/series/hells-paradise/"
    assert Series.objects.filter(key="hells-paradise").exists()
    again = owner_client.post("/library/add", {"site": "aniworld.to", "key": "hells-paradise"})
    assert b"already in the library" in again.content


def test_the_series_page_shows_seasons_episodes_languages_and_state(owner_client, titan):
    page = owner_client.get("/series/attack-on-titan/").content.decode()
    assert "Season 1" in page
    assert "Films" in page
    assert "Dir, in 2000 Jahren" in page
    assert "German dub" in page
    assert "not out yet" in page
    assert "Download all missing (4)" in page
    films = owner_client.get(
        "/series/attack-on-titan/?season=0", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="episodes"
    )
    assert "Pfeil und Bogen" in films.content.decode()


def test_an_unknown_series_page_is_a_404_page(owner_client):
    response = owner_client.get("/series/nope/")
    assert response.status_code == 404
    assert b"No series" in response.content


def test_the_scan_panel_starts_a_scan_and_stops_polling_when_done(owner_client, titan):
    response = owner_client.post("/library/scan", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"Last scan" in response.content
    assert owner_client.get("/library/scan").status_code == 286


def test_unmatched_folders_can_be_attached_from_the_page(owner_client, aniworld_site, library_root):
    (library_root / "Hells Paradise").mkdir()
    panel = owner_client.get("/library/unmatched").content.decode()
    assert "Hells Paradise" in panel
    response = owner_client.post(
        "/library/unmatched",
        {"folder": "Hells Paradise", "site": "aniworld.to", "key": "hells-paradise"},
        HTTP_HX_REQUEST="true",
    )
    assert response["HX-Redirect"] == "/series/hells-paradise/"


def test_the_admin_lists_series_and_episodes(owner_client, titan):
    assert owner_client.get("/admin/library/series/").status_code == 200
    assert owner_client.get("/admin/library/episode/?q=Jahren").status_code == 200


def test_covers_come_from_our_own_origin_and_are_cached(
    owner_client, titan, aniworld_site, settings
):
    from tests.fakes.server import Reply

    png = (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
        b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01"
        b"\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
    )
    aniworld_site.server.route(
        "GET", r"/public/img/cover/.*", lambda r: Reply(200, png, content_type="image/png")
    )
    response = owner_client.get("/series/attack-on-titan/cover")
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png
    assert (settings.DATA_DIR / "covers" / "attack-on-titan.png").is_file()
    page = owner_client.get("/library/").content.decode()
    assert 'src="/series/attack-on-titan/cover"' in page


def test_a_missing_cover_is_a_placeholder_not_an_error(
    owner_client, titan, aniworld_site, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    response = owner_client.get("/series/attack-on-titan/cover")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
