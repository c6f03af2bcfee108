"""The Wanted page: missing episodes and language upgrades across the library."""

import pytest

from aniworld import config
from downloads.models import DownloadItem
from library.languages import mask_of
from library.models import Episode
from tests.factories import make_episode, make_series

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(configured):
    config.store().update({"downloads": {"language_order": ["german-dub", "german-sub"]}})
    dark = make_series("dark", "Dark", site="s.to", folder="Dark (2017)")
    titan = make_series("attack-on-titan", "Attack on Titan", folder="AoT (2013)")
    german = mask_of(["german-dub"])
    both = mask_of(["german-dub", "german-sub"])
    make_episode(dark, 1, 1, title="Geheimnisse", language_mask=german)
    make_episode(dark, 1, 2, title="Lügen", language_mask=german)
    make_episode(
        titan, 1, 1, language_mask=both, is_downloaded=True,
        file_path="AoT (2013)/x.mp4", downloaded_language="german-sub",
    )  # fmt: skip
    make_episode(
        titan, 1, 2, language_mask=both, is_downloaded=True,
        file_path="AoT (2013)/y.mp4", downloaded_language="german-dub",
    )  # fmt: skip
    # Not in a wanted language: neither missing nor an upgrade.
    make_episode(titan, 1, 3, language_mask=mask_of(["english-sub"]))
    return dark, titan


def test_wanted_lists_every_missing_episode_across_series(owner_client, library):
    page = owner_client.get("/wanted/").content.decode()
    assert "Missing (2)" in page
    assert "Upgrade available (1)" in page
    assert 'value="dark:1-1"' in page
    assert 'value="dark:1-2"' in page
    assert "attack-on-titan:1-3" not in page


def test_the_upgrades_tab_lists_episodes_whose_preferred_language_appeared(owner_client, library):
    page = owner_client.get("/wanted/?kind=upgrades").content.decode()
    assert 'value="attack-on-titan:1-1"' in page
    assert "on disk: German subtitles" in page
    assert "attack-on-titan:1-2" not in page


def test_queue_selected_queues_episodes_of_several_series(owner_client, library):
    response = owner_client.post(
        "/wanted/queue",
        {"kind": "missing", "episodes": ["dark:1-2", "attack-on-titan:1-1", "bogus", "x:a-b"]},
    )
    assert response.status_code == 302
    assert response["Location"] == "/queue/"
    queued = set(DownloadItem.objects.values_list("episode__series__key", "episode__number"))
    assert queued == {("dark", 2), ("attack-on-titan", 1)}
    upgrade = DownloadItem.objects.get(episode__series__key="attack-on-titan")
    assert upgrade.upgrade is True


def test_queue_selected_with_nothing_selected_says_so(owner_client, library):
    response = owner_client.post("/wanted/queue", {"kind": "missing"}, follow=True)
    assert b"Select at least one episode first" in response.content
    assert not DownloadItem.objects.exists()


def test_an_empty_wanted_page_says_what_to_do_next(owner_client, configured):
    page = owner_client.get("/wanted/").content.decode()
    assert "Nothing is missing." in page
    assert 'href="/library/"' in page


def test_upgradable_matches_the_rule_of_is_upgrade(library):
    from library.languages import is_upgrade

    order = ["german-dub", "german-sub"]
    expected = {
        e.id
        for e in Episode.objects.filter(is_downloaded=True)
        if is_upgrade(e.downloaded_language, e.languages, order)
    }
    assert set(Episode.objects.upgradable(order).values_list("id", flat=True)) == expected
    assert expected
