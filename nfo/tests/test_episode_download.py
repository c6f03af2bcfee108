"""The whole way: add a series, download an episode, find its NFO beside it and the
episode on the calendar (fake index, hosters and TMDB; tasks run inline)."""

import pytest

from downloads.models import DownloadItem
from nfo.episode_nfo import parse_episode_nfo

pytestmark = [pytest.mark.django_db(transaction=True)]

AOT = "Attack on Titan (2013)"


def test_a_download_ends_with_its_nfo_beside_it_and_on_the_calendar(
    api, world, tmdb_key, library_root
):
    added = api.post(
        "/api/anime/", {"key": "attack-on-titan", "site": "aniworld.to"}, format="json"
    )
    assert added.status_code == 201
    queued = api.post(
        "/api/queue/add",
        {"series_key": "attack-on-titan", "episodes": [{"season": 1, "episode": 2}]},
        format="json",
    )
    item = DownloadItem.objects.get(id=queued.json()["added"][0]["id"])
    assert item.status == "completed", item.error

    video = library_root / item.file_path
    nfo = parse_episode_nfo(video.with_suffix(".nfo").read_bytes())
    assert (nfo.title, nfo.season, nfo.episode) == ("An jenem Tag", 1, 2)
    assert (nfo.aired, nfo.tmdb_id, nfo.showtitle) == ("2013-04-14", "14291002", "Attack on Titan")
    assert (library_root / AOT / "season01-poster.jpg").is_file()

    calendar = api.get("/api/calendar?start=2013-04-14&end=2013-04-14")
    assert calendar.status_code == 200
    assert calendar.json() == [
        {
            "series_key": "attack-on-titan",
            "series_name": "Attack on Titan",
            "season": 1,
            "episode": 2,
            "title": "An jenem Tag",
            "air_date": "2013-04-14",
            "is_downloaded": True,
        }
    ]
