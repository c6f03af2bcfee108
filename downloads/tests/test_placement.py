"""Placing a verified download: named by the template, never over another file, moved by a
rename readable by media servers, and recorded on the episode."""

from __future__ import annotations

import errno
import os
import stat

import pytest
from django.utils import timezone

from downloads import placement
from downloads.models import DownloadItem, Status
from downloads.placement import Naming, PlacementError, place_episode
from library import recording
from library.models import Episode, Series

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("library_root")]

NAMING = Naming(template="Season {season}/{series} - S{season}E{episode} - {title}", padding=2)
FOLDER = "Frieren (2023)"
NAME = "Season 01/Frieren - S01E02 - Es muss nicht Magie sein.mp4"
RELATIVE = f"{FOLDER}/{NAME}"


@pytest.fixture
def episode():
    series = Series.objects.create(key="frieren", name="Frieren", folder=FOLDER, year=2023)
    return Episode.objects.create(
        series=series, season=1, number=2, title="Es muss nicht Magie sein", language_mask=1
    )


def downloading(episode: Episode, **fields) -> DownloadItem:
    """The item as the worker holds it once claimed (read back like ``claim_next`` does)."""
    item = DownloadItem.objects.create(
        episode=episode, status=Status.DOWNLOADING, started_at=timezone.now(), **fields
    )
    return DownloadItem.objects.select_related("episode__series").get(id=item.id)


@pytest.fixture
def download(tmp_path):
    """A finished download beside the library (on its file system), as the worker leaves it."""
    path = tmp_path / "Temp" / "item-1.mp4"
    path.parent.mkdir()
    path.write_bytes(b"a verified video")
    return path


def test_it_names_the_file_by_the_template_and_records_it_on_the_episode(
    episode, download, library_root
):
    item = downloading(episode)

    placed = place_episode(download, item, language="german-dub", naming=NAMING)

    assert placed.path == (library_root / RELATIVE).resolve()
    assert placed.file_path == RELATIVE
    assert placed.replaced == ""
    assert placed.path.read_bytes() == b"a verified video"
    assert not download.exists()
    episode.refresh_from_db()
    assert (episode.is_downloaded, episode.file_path) == (True, RELATIVE)
    assert (episode.downloaded_language, episode.file_size) == ("german-dub", 16)
    item.refresh_from_db()
    assert item.file_path == RELATIVE  # recorded before the move: a killed run finds it


def test_the_owners_template_and_padding_decide_the_name(episode, download, library_root):
    naming = Naming(template="{series} {season}x{episode} [{language}]", padding=3)

    placed = place_episode(download, downloading(episode), language="english-sub", naming=naming)

    assert placed.file_path == f"{FOLDER}/Frieren 01x002 [English Sub].mp4"
    assert (library_root / placed.file_path).is_file()


def test_it_records_through_the_librarys_one_recording_function(episode, download, monkeypatch):
    calls = []

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return recording.record_download(*args, **kwargs)

    monkeypatch.setattr(placement, "record_download", spy)

    place_episode(download, downloading(episode), language="german-dub", naming=NAMING)

    assert calls == [((episode, RELATIVE), {"size": 16, "language": "german-dub"})]


def test_an_existing_file_is_never_overwritten(episode, download, library_root):
    target = library_root / RELATIVE
    target.parent.mkdir(parents=True)
    target.write_bytes(b"precious")
    item = downloading(episode)

    with pytest.raises(PlacementError, match=r"already exists .*; it was not overwritten"):
        place_episode(download, item, language="german-dub", naming=NAMING)

    assert target.read_bytes() == b"precious"
    assert download.exists()  # the worker removes its own download
    episode.refresh_from_db()
    assert not episode.is_downloaded
    item.refresh_from_db()
    assert item.file_path == ""


def test_the_episodes_own_file_is_not_overwritten_without_an_upgrade(
    episode, download, library_root
):
    target = library_root / RELATIVE
    target.parent.mkdir(parents=True)
    target.write_bytes(b"the file on disk")
    Episode.objects.filter(id=episode.id).update(is_downloaded=True, file_path=RELATIVE)
    episode.refresh_from_db()

    with pytest.raises(PlacementError, match="already exists"):
        place_episode(download, downloading(episode), language="german-dub", naming=NAMING)

    assert target.read_bytes() == b"the file on disk"


def test_an_upgrade_replaces_the_episodes_file_under_the_same_name(episode, download, library_root):
    target = library_root / RELATIVE
    target.parent.mkdir(parents=True)
    target.write_bytes(b"the german-sub file")
    Episode.objects.filter(id=episode.id).update(
        is_downloaded=True, file_path=RELATIVE, downloaded_language="german-sub"
    )
    episode.refresh_from_db()

    placed = place_episode(
        download, downloading(episode, upgrade=True), language="german-dub", naming=NAMING
    )

    assert placed.replaced == ""
    assert target.read_bytes() == b"a verified video"
    episode.refresh_from_db()
    assert episode.downloaded_language == "german-dub"


def test_an_upgrade_under_a_new_name_removes_the_file_it_replaces(episode, download, library_root):
    old = f"{FOLDER}/Season 01/Frieren - S01E02 [german-sub].mp4"
    (library_root / old).parent.mkdir(parents=True)
    (library_root / old).write_bytes(b"the german-sub file")
    Episode.objects.filter(id=episode.id).update(is_downloaded=True, file_path=old)
    episode.refresh_from_db()

    placed = place_episode(
        download, downloading(episode, upgrade=True), language="german-dub", naming=NAMING
    )

    assert placed.replaced == old
    assert not (library_root / old).exists()
    assert (library_root / RELATIVE).read_bytes() == b"a verified video"


def test_a_file_its_own_killed_run_moved_there_is_taken_as_its_own(episode, download, library_root):
    # Killed between the move and the item's completion: the item had recorded the path.
    target = library_root / RELATIVE
    target.parent.mkdir(parents=True)
    target.write_bytes(b"the earlier run's file")

    placed = place_episode(
        download, downloading(episode, file_path=RELATIVE), language="german-dub", naming=NAMING
    )

    assert placed.path.read_bytes() == b"a verified video"


def test_a_name_leading_out_of_the_library_is_refused(episode, download, library_root):
    Series.objects.filter(id=episode.series_id).update(folder="../outside")
    episode = Episode.objects.select_related("series").get(id=episode.id)

    with pytest.raises(PlacementError, match="file name is not safe"):
        place_episode(download, downloading(episode), language="german-dub", naming=NAMING)

    assert not (library_root.parent / "outside").exists()
    assert download.exists()


def test_placing_is_a_rename_never_a_copy(episode, download):
    inode = download.stat().st_ino

    placed = place_episode(download, downloading(episode), language="german-dub", naming=NAMING)

    assert placed.path.stat().st_ino == inode


def test_a_folder_on_another_file_system_fails_clearly_and_records_nothing(
    episode, download, library_root, monkeypatch
):
    def across_devices(source, target):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(placement.os, "replace", across_devices)
    item = downloading(episode)

    with pytest.raises(PlacementError, match="lies on another file system"):
        place_episode(download, item, language="german-dub", naming=NAMING)

    assert not (library_root / RELATIVE).exists()
    assert download.exists()
    item.refresh_from_db()
    assert item.file_path == ""
    episode.refresh_from_db()
    assert not episode.is_downloaded


@pytest.mark.parametrize("umask", [0o077, 0o022])
def test_the_placed_file_and_its_folders_are_readable_by_a_media_server(
    episode, download, library_root, umask
):
    previous = os.umask(umask)
    try:
        download.chmod(0o600)  # as written under a strict umask
        placed = place_episode(download, downloading(episode), language="german-dub", naming=NAMING)
    finally:
        os.umask(previous)

    assert stat.S_IMODE(placed.path.stat().st_mode) == 0o644
    assert stat.S_IMODE((library_root / FOLDER).stat().st_mode) == 0o755
    assert stat.S_IMODE(placed.path.parent.stat().st_mode) == 0o755
