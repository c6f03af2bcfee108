"""Telling Jellyfin and Plex (local imitations) about changed paths."""

import pytest

from connect.media_servers import (
    MediaServer,
    MediaServerError,
    check,
    map_path,
    plex_section_for,
    tell,
)
from tests.fakes.media_servers import JELLYFIN_KEY, PLEX_TOKEN


def jellyfin_at(server, key=JELLYFIN_KEY, path_map=()):
    return MediaServer("jellyfin", "Jelly", server.url, key, list(path_map))


def plex_at(server, path_map, token=PLEX_TOKEN):
    return MediaServer("plex", "Plex", server.url, token, path_map)


def test_a_path_map_translates_the_longest_matching_prefix():
    path_map = [
        {"from": "/srv", "to": "/mnt"},
        {"from": "/srv/anime", "to": "/media/anime"},
    ]
    assert map_path("/srv/anime/A (2013)/x.mp4", path_map) == "/media/anime/A (2013)/x.mp4"
    assert map_path("/srv/other/y.mp4", path_map) == "/mnt/other/y.mp4"
    assert map_path("/srv/animeX/z.mp4", path_map) == "/mnt/animeX/z.mp4"
    assert map_path("/elsewhere/z.mp4", path_map) == "/elsewhere/z.mp4"


def test_jellyfin_is_told_the_mapped_path_with_its_token(jellyfin):
    server = jellyfin_at(jellyfin, path_map=[{"from": "/srv/anime", "to": "/media/anime"}])

    message = tell(server, [("/srv/anime/A/S01E01.mp4", "Created")], "/srv/anime/A")

    assert jellyfin.updates == [{"Path": "/media/anime/A/S01E01.mp4", "UpdateType": "Created"}]
    assert jellyfin.requests[-1].headers["x-emby-token"] == JELLYFIN_KEY
    assert "/media/anime/A/S01E01.mp4" in message


def test_a_wrong_jellyfin_key_is_an_error_that_names_the_server(jellyfin):
    with pytest.raises(MediaServerError, match=r"^media server Jelly answered HTTP 401"):
        tell(jellyfin_at(jellyfin, key="wrong"), [("/a/b.mp4", "Created")], "/a")
    assert jellyfin.updates == []


def test_an_unreachable_server_is_an_error_not_a_crash():
    server = MediaServer("emby", "Gone", "http://127.0.0.1:9", "key")
    with pytest.raises(MediaServerError, match="could not connect"):
        tell(server, [("/a/b.mp4", "Created")], "/a")


def test_checking_jellyfin_reports_its_name_and_version(jellyfin):
    assert check(jellyfin_at(jellyfin)) == "Fake Jellyfin 10.10.7 answered"


def test_plex_refreshes_the_section_holding_the_series_folder(plex):
    server = plex_at(plex, [{"from": "/srv/anime", "to": "/data/anime"}])

    message = tell(server, [("/srv/anime/A (2013)/x.mp4", "Created")], "/srv/anime/A (2013)")

    assert plex.refreshes == [("2", "/data/anime/A (2013)")]
    assert message == "refreshed section 2 for /data/anime/A (2013)"
    assert plex.requests[0].query["X-Plex-Token"] == [PLEX_TOKEN]


def test_plex_without_a_section_for_the_path_says_to_check_the_path_map(plex):
    server = plex_at(plex, [])
    with pytest.raises(
        MediaServerError, match=r"no library section contains /srv/anime/A.*path_map"
    ):
        tell(server, [], "/srv/anime/A")
    assert plex.refreshes == []


def test_a_wrong_plex_token_is_an_error(plex):
    with pytest.raises(MediaServerError, match="401"):
        check(plex_at(plex, [], token="nope"))


def test_the_deepest_plex_location_wins():
    sections = [("1", ["/data"]), ("2", ["/data/anime", "/more/anime"])]
    assert plex_section_for(sections, "/data/anime/A") == "2"
    assert plex_section_for(sections, "/data/films/B") == "1"
    assert plex_section_for(sections, "/database/C") is None
