"""The new-episode watch against the fake sites' "Neue Episoden" pages."""

from datetime import date

import pytest

from aniworld import config
from aniworld.models import JobRun
from downloads.models import DownloadItem
from downloads.new_episodes import watch
from library import catalog
from library.models import Series
from library.sync import sync_series
from system import scheduler
from tests.factories import make_episode, make_series

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("library_root", "sto_site")]

DAY = date(2026, 9, 12)


@pytest.fixture
def rows(aniworld_site, monkeypatch):
    """Set the rows of aniworld.to's new-episodes page for one test."""

    def put(*entries):
        monkeypatch.setattr(aniworld_site, "new_episode_rows", [(*e, DAY) for e in entries])

    return put


def add(key, site="aniworld.to"):
    series = catalog.add_series(site, key)
    sync_series(series)
    return series


def queued():
    return sorted(
        (i.episode.series.key, i.episode.season, i.episode.number, i.language)
        for i in DownloadItem.objects.select_related("episode__series")
    )


def test_each_new_episode_is_queued_once_in_the_preferred_language(rows):
    add("hells-paradise")
    add("the-ogres-bride")
    rows(
        ("hells-paradise", 1, 2, "german-sub"),
        ("hells-paradise", 1, 2, "german-dub"),
        ("the-ogres-bride", 1, 10, "english-sub"),
        ("the-ogres-bride", 1, 10, "german-sub"),
        ("attack-on-titan", 1, 2, "german-dub"),  # not in the library
    )
    result = watch()
    assert queued() == [
        ("hells-paradise", 1, 2, "german-dub"),
        ("the-ogres-bride", 1, 10, "german-sub"),
    ]
    assert result.entries == 5
    assert result.ignored == 1
    assert result.queued == [
        "hells-paradise S01E02 (german-dub)",
        "the-ogres-bride S01E10 (german-sub)",
    ]
    assert not Series.objects.filter(key="attack-on-titan").exists()


def test_a_title_with_entities_matches_a_series_by_name(rows):
    # The library knows it under another key (e.g. added before the site renamed it).
    series = make_series("hells-paradise-old", "Hell's Paradise", folder="HP")
    make_episode(series, 1, 2)
    rows(("hells-paradise", 1, 2, "german-dub"))  # listed as "Hell&#039;s Paradise"
    result = watch()
    assert queued() == [("hells-paradise-old", 1, 2, "german-dub")]
    assert result.ignored == 0


def test_an_episode_the_database_does_not_know_yet_refreshes_its_series_first(rows):
    series = add("hells-paradise")
    series.episodes.filter(season=1, number=2).delete()  # published after our last refresh
    rows(("hells-paradise", 1, 2, "german-dub"))
    result = watch()
    assert result.refreshed == ["hells-paradise"]
    assert queued() == [("hells-paradise", 1, 2, "german-dub")]


def test_episodes_on_disk_queued_or_not_streamable_yet_are_not_queued(rows):
    hells = add("hells-paradise")
    add("the-ogres-bride")
    hells.episodes.filter(number=1).update(
        is_downloaded=True, downloaded_language="german-dub", file_path="x.mp4"
    )
    rows(
        ("hells-paradise", 1, 1, "german-dub"),  # on disk in the best language
        ("hells-paradise", 1, 2, "german-dub"),
        ("the-ogres-bride", 1, 11, "german-sub"),  # announced: no hoster yet
    )
    first = watch()
    second = watch()
    assert queued() == [("hells-paradise", 1, 2, "german-dub")]
    assert "hells-paradise S01E01: already downloaded" in first.skipped
    assert "the-ogres-bride S01E11: announced, no stream yet" in first.skipped
    assert "hells-paradise S01E02: already queued" in second.skipped


def test_rows_only_in_languages_the_owner_does_not_download_are_skipped(rows):
    config.store().update({"downloads": {"language_order": ["german-dub"]}})
    add("the-ogres-bride")
    rows(("the-ogres-bride", 1, 10, "english-sub"), ("the-ogres-bride", 1, 10, "german-sub"))
    result = watch()
    assert queued() == []
    assert result.skipped == [
        "the-ogres-bride S01E10: listed only in languages you do not download"
    ]


def test_s_to_mirrors_with_a_new_episodes_list_are_watched_too(rows, legacy_sto_site):
    rows()
    add("dark", site="s.to")  # the legacy mirror lists dark S01E02 in German
    watch()
    assert queued() == [("dark", 1, 2, "german-dub")]


def test_the_scheduled_watch_records_its_run(rows):
    config.store().update({"new_episodes": {"enabled": True}})
    add("hells-paradise")
    rows(("hells-paradise", 1, 2, "german-dub"))
    scheduler.run_scheduled("new_episodes")
    run = JobRun.objects.get()
    assert (run.job, run.status) == ("new_episodes", "completed")
    assert run.result["queued"] == ["hells-paradise S01E02 (german-dub)"]


def test_a_site_that_fails_is_recorded_and_the_other_still_read(rows, aniworld_site):
    add("hells-paradise")
    aniworld_site.serve_challenge(503)
    result = watch()
    assert [error.split(":")[0] for error in result.errors] == ["aniworld.to"]
    assert queued() == []
