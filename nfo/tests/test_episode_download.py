"""The whole way: add a series, download an episode, find its NFO beside it and the
episode on the calendar (fake index, hosters and TMDB; tasks run inline)."""

import pytest

from nfo.episode_nfo import parse_episode_nfo
from tests.factories import add_series, queue_episode

pytestmark = [pytest.mark.django_db(transaction=True)]

AOT = "Attack on Titan (2013)"


def test_a_download_ends_with_its_nfo_beside_it_and_on_the_calendar(
    api, world, tmdb_key, library_root
):
    add_series(api)
    item = queue_episode(api)
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
