"""A season tab's own actions: download its missing episodes, select all, refresh it."""

import pytest

from downloads.models import DownloadItem
from library.models import Episode, Series
from tests.factories import add_series

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("library_root")]


@pytest.fixture
def titan(api, aniworld_site):
    add_series(api)
    return Series.objects.get(key="attack-on-titan")


def test_each_season_tab_offers_its_own_missing_count_and_a_select_all_box(owner_client, titan):
    first = owner_client.get("/series/attack-on-titan/?season=1").content.decode()
    assert "Download missing of this season (2)" in first
    assert "Download all missing (4)" in first
    assert 'data-select-all="episodes"' in first
    films = owner_client.get("/series/attack-on-titan/?season=0").content.decode()
    assert "Download missing of this tab (1)" in films


def test_download_missing_of_this_season_queues_that_season_only(owner_client, titan):
    response = owner_client.post(
        "/queue/add",
        {"series_key": "attack-on-titan", "season": "1", "action": "season_missing"},
    )
    assert response.status_code == 302
    queued = sorted(DownloadItem.objects.values_list("episode__season", "episode__number"))
    assert queued == [(1, 1), (1, 2)]


def test_download_missing_of_a_season_without_missing_episodes_queues_nothing(owner_client, titan):
    Episode.objects.filter(series=titan, season=2).update(is_downloaded=True)
    response = owner_client.post(
        "/queue/add",
        {"series_key": "attack-on-titan", "season": "2", "action": "season_missing"},
        follow=True,
    )
    assert b"Select at least one episode first" in response.content
    assert not DownloadItem.objects.exists()


def test_refreshing_a_season_asks_the_site_for_that_season_only(owner_client, titan, aniworld_site):
    Episode.objects.filter(series=titan, season=1, number=2).delete()
    before = len(aniworld_site.requested_paths())
    response = owner_client.post("/series/attack-on-titan/season/1/refresh")
    assert response.status_code == 302
    assert response["Location"] == "/series/attack-on-titan/?season=1"
    assert Episode.objects.filter(series=titan, season=1, number=2).exists()
    asked = aniworld_site.requested_paths()[before:]
    assert any(path.endswith("/staffel-1") for path in asked)
    assert not any("staffel-2" in path or path.endswith("/filme") for path in asked)


def test_refreshing_a_season_of_an_unknown_series_is_a_404(owner_client):
    assert owner_client.post("/series/nope/season/1/refresh").status_code == 404


def test_refreshing_a_season_needs_a_post(owner_client, titan):
    assert owner_client.get("/series/attack-on-titan/season/1/refresh").status_code == 405
