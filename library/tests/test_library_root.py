"""A library root that ANIME_DIRECTORY names but nobody made yet is created, as setup does."""

import os
import stat

import pytest

from library.sync import ensure_library_root

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def uncreated_root(tmp_path, monkeypatch):
    root = tmp_path / "media" / "anime"
    monkeypatch.setenv("ANIME_DIRECTORY", str(root))
    return root


def test_adding_a_series_creates_a_library_root_that_does_not_exist_yet(
    api, aniworld_site, uncreated_root
):
    response = api.post(
        "/api/anime/", {"key": "attack-on-titan", "site": "aniworld.to"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert (uncreated_root / "Attack on Titan (2013)" / "data").is_file()


def test_the_start_creates_the_library_root(uncreated_root):
    ensure_library_root()
    assert uncreated_root.is_dir()


@pytest.fixture
def uncreatable_root(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ANIME_DIRECTORY", str(blocker / "anime"))
    return blocker / "anime"


def test_a_root_that_cannot_be_created_is_a_409_that_says_why(api, aniworld_site, uncreatable_root):
    response = api.post(
        "/api/anime/", {"key": "attack-on-titan", "site": "aniworld.to"}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "LIBRARY_MISSING"
    assert str(uncreatable_root) in body["message"]
    assert "cannot be created" in body["message"]


def test_the_library_page_says_what_stops_adding_series(owner_client, uncreatable_root):
    page = owner_client.get("/library/").content.decode()
    assert 'id="library-problem"' in page
    assert "cannot be created" in page


def test_a_start_with_an_uncreatable_root_only_warns(uncreatable_root, caplog):
    ensure_library_root()
    assert "cannot be created" in caplog.text


def test_the_library_page_has_no_problem_to_report_with_a_usable_root(owner_client, library_root):
    assert 'id="library-problem"' not in owner_client.get("/library/").content.decode()


def test_an_added_series_folder_and_data_file_are_readable_by_a_media_server(
    api, aniworld_site, library_root
):
    previous = os.umask(0o077)
    try:
        response = api.post(
            "/api/anime/", {"key": "attack-on-titan", "site": "aniworld.to"}, format="json"
        )
    finally:
        os.umask(previous)
    assert response.status_code == 201, response.content
    folder = library_root / "Attack on Titan (2013)"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert stat.S_IMODE((folder / "data").stat().st_mode) == 0o644
