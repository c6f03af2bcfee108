"""Every grab, import, failure, deletion, rename and language upgrade becomes a history row,
through the real worker and library (tasks run inline in tests)."""

import pytest

from aniworld import config
from history.models import HistoryEvent, ImmutableEvent
from library.models import Episode, Series
from library.sync import sync_series
from tests.factories import queue_episode

pytestmark = [pytest.mark.django_db(transaction=True)]

AOT = "Attack on Titan (2013)"
EPISODE_FILE = f"{AOT}/Season 01/Attack on Titan - S01E02 - An jenem Tag.mp4"


def events():
    return list(HistoryEvent.objects.order_by("id").values_list("event", flat=True))


def test_a_download_is_a_grab_then_an_import(api, series):
    queue_episode(api)

    assert events() == ["grabbed", "imported"]
    imported = HistoryEvent.objects.get(event="imported")
    assert (imported.series_key, imported.season, imported.episode) == ("attack-on-titan", 1, 2)
    assert imported.series_name == "Attack on Titan"
    assert imported.language == "german-dub"
    assert imported.hoster == "VOE"
    assert imported.file_path == EPISODE_FILE


def test_a_failure_keeps_each_hosters_reason(api, series, hosters):
    hosters.break_page("VOE")
    hosters.remove_page("Vidoza")

    queue_episode(api)

    assert events() == ["grabbed", "failed"]
    failed = HistoryEvent.objects.get(event="failed")
    assert "VOE (German dub)" in failed.message
    assert "Vidoza (German dub)" in failed.message
    assert (failed.season, failed.episode) == (1, 2)


def test_a_better_language_replacing_the_file_is_a_language_upgrade(api, series, library_root):
    config.store().update(
        {
            "downloads": {
                "naming_template": "Season {season}/{series} S{season}E{episode} {language}"
            }
        }
    )
    queue_episode(api, language="german-sub")
    old = Episode.objects.get(series__key="attack-on-titan", season=1, number=2).file_path
    config.store().update({"downloads": {"language_order": ["german-dub", "german-sub"]}})
    queued = api.post(
        "/api/queue/add",
        {"series_key": "attack-on-titan", "episodes": [{"season": 1, "episode": 2}]},
        format="json",
    ).json()
    assert queued["added"], queued

    assert events() == ["grabbed", "imported", "grabbed", "upgraded"]
    upgrade = HistoryEvent.objects.get(event="upgraded")
    assert upgrade.language == "german-dub"
    assert upgrade.message == f"german-sub → german-dub; replaced {old}"
    assert not (library_root / old).exists()


def test_deleting_a_series_is_recorded_and_the_history_outlives_it(api, series):
    queue_episode(api)

    api.delete("/api/anime/attack-on-titan?delete_files=true")

    assert not Series.objects.exists()
    assert events() == ["grabbed", "imported", "deleted"]
    deleted = HistoryEvent.objects.get(event="deleted")
    assert deleted.series_key == "attack-on-titan"
    assert deleted.message == f"removed from the library; its folder {AOT} was deleted"


def test_a_file_renamed_on_disk_is_recorded_by_the_next_scan(api, series, library_root):
    queue_episode(api)
    renamed = f"{AOT}/Season 01/Attack on Titan S01E02.mp4"
    (library_root / EPISODE_FILE).rename(library_root / renamed)

    sync_series(Series.objects.get(key="attack-on-titan"), remote=False)

    row = HistoryEvent.objects.get(event="renamed")
    assert row.message == f"{EPISODE_FILE} → {renamed}"
    assert row.file_path == renamed
    assert (row.season, row.episode) == (1, 2)


def test_a_second_copy_under_another_name_is_not_a_rename(api, series, library_root):
    queue_episode(api)
    copy = library_root / f"{AOT}/Season 01/Attack on Titan S01E02 copy.mp4"
    copy.write_bytes((library_root / EPISODE_FILE).read_bytes())

    sync_series(Series.objects.get(key="attack-on-titan"), remote=False)

    assert not HistoryEvent.objects.filter(event="renamed").exists()


def test_history_rows_are_never_edited(api, series):
    queue_episode(api)
    row = HistoryEvent.objects.get(event="imported")
    row.message = "rewritten"
    with pytest.raises(ImmutableEvent):
        row.save()
