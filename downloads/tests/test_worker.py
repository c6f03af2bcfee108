"""The whole pipeline: queue → worker → hoster → media → a named file in the library.

Tasks run inline in tests, so a download finishes within the API call that
queued it (the queue is running by default).
"""

import pytest
from django.conf import settings

from downloads.media import verify_media
from downloads.models import QueueState
from library.models import Episode
from tests.factories import queue_episode

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("library_root")]

AOT = "Attack on Titan (2013)"


def temp_files():
    return sorted(p.name for p in settings.TEMP_DIR.rglob("*"))


def library_files(root):
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_a_queued_episode_becomes_a_named_playable_file(api, series, library_root):
    item = queue_episode(api)
    assert item.status == "completed", item.error
    expected = f"{AOT}/Season 01/Attack on Titan - S01E02 - An jenem Tag.mp4"
    assert item.file_path == expected
    assert 2.5 < verify_media(library_root / expected) < 3.5
    episode = Episode.objects.get(series__key="attack-on-titan", season=1, number=2)
    assert episode.is_downloaded
    assert episode.downloaded_language == "german-dub"
    assert episode.file_path == expected
    assert item.hoster == "VOE"
    assert temp_files() == []
    status = api.get("/api/queue/status").json()
    assert status["completed"][0]["file_path"] == expected
    assert status["completed"][0]["progress"]["percent"] == 100


def test_films_land_in_season_00(api, series, library_root):
    queue_episode(api, season=0, episode=1)
    assert (
        library_root / AOT / "Season 00" / "Attack on Titan - S00E01 - Teil 1 - Pfeil und Bogen.mp4"
    ).exists()


def test_a_broken_hoster_falls_through_to_the_next(api, series, hosters):
    hosters.break_page("VOE")
    item = queue_episode(api)
    assert item.status == "completed"
    assert item.hoster == "Vidoza"


def test_when_every_hoster_fails_the_item_fails_with_each_reason(
    api, series, hosters, library_root
):
    hosters.break_page("VOE")
    hosters.remove_page("Vidoza")
    item = queue_episode(api)
    assert item.status == "failed"
    assert "Every hoster failed" in item.error
    assert "VOE (German dub)" in item.error
    assert "Vidoza (German dub)" in item.error
    assert "404" in item.error
    assert not (library_root / AOT / "Season 01").exists()
    assert temp_files() == []
    failed = api.get("/api/queue/status").json()["failed"]
    assert failed[0]["error"] == item.error


def test_html_instead_of_video_never_reaches_the_library(api, series, hosters, library_root):
    hosters.serve_html_instead_of_video()
    item = queue_episode(api)
    assert item.status == "failed"
    assert library_files(library_root) == [f"{AOT}/data"]
    assert temp_files() == []


def test_a_connection_cut_mid_download_recovers(api, series, hosters):
    hosters.cut_media_once()
    item = queue_episode(api)
    assert item.status == "completed", item.error


def test_the_owners_language_order_picks_the_language(api, series):
    from aniworld import config

    config.store().update({"downloads": {"language_order": ["english-sub", "german-dub"]}})
    item = queue_episode(api)
    assert item.downloaded_language == "english-sub"
    assert item.file_path.endswith("S01E02 - An jenem Tag.mp4")


def test_too_little_free_space_fails_the_item_clearly(api, series, library_root):
    from aniworld import config

    config.store().update({"downloads": {"min_free_space_gb": 10**9}})
    item = queue_episode(api)
    assert item.status == "failed"
    assert "GB free on the library" in item.error
    assert library_files(library_root) == [f"{AOT}/data"]


def test_an_existing_file_is_never_overwritten(api, series, library_root):
    target = library_root / AOT / "Season 01" / "Attack on Titan - S01E02 - An jenem Tag.mp4"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"precious")
    # The library does not know the file yet (no rescan): the download must not clobber it.
    item = queue_episode(api)
    assert item.status == "failed"
    assert "already exists" in item.error
    assert target.read_bytes() == b"precious"


def test_the_download_command_queues_and_downloads_missing_episodes(
    api, world, library_root, capsys
):
    from django.core.management import call_command

    api.post("/api/queue/stop")
    api.post("/api/anime/", {"key": "hells-paradise", "site": "aniworld.to"}, format="json")
    QueueState.objects.update(is_running=True)
    call_command("download", "--series", "hells-paradise", "--all-missing")
    out = capsys.readouterr().out
    assert "Queued 2 missing episode(s)." in out
    assert "Finished 2 item(s), 0 failed." in out
    season = library_root / "Hell's Paradise (2023)" / "Season 01"
    assert sorted(p.name for p in season.glob("*.mp4")) == [
        "Hell's Paradise - S01E01 - Tödliche Insel.mp4",
        "Hell's Paradise - S01E02 - Schein & Sein.mp4",
    ]
