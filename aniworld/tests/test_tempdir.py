"""The temp dir: refused when it overlaps what the app must keep; the purge removes only
the worker's download files."""

import logging
import os
import subprocess
from pathlib import Path

import pytest

from aniworld import startup, tempdir
from aniworld.file_modes import write_library_file
from aniworld.library_root import library_root
from aniworld.tempdir import UnsafeTempDir


@pytest.fixture
def folders(tmp_path, settings, monkeypatch):
    """A data dir and a library under tmp_path, the library configured through the env."""
    data, library = tmp_path / "data", tmp_path / "library"
    data.mkdir()
    library.mkdir()
    (library / "Naruto (2002)").mkdir()
    (library / "Naruto (2002)" / "Naruto - S01E01.mp4").write_bytes(b"an episode")
    settings.DATA_DIR = data
    monkeypatch.setenv("ANIME_DIRECTORY", str(library))
    return data, library


@pytest.mark.parametrize(
    ("where", "relation", "named"),
    [
        (lambda data, library: library, "is the library", "library"),
        (lambda data, library: library.parent, "contains the library", "library"),
        (lambda data, library: library / "Naruto (2002)", "lies inside the library", "library"),
        (lambda data, library: data, "is the data dir", "data"),
        (lambda data, library: data / "tmp", "lies inside the data dir", "data"),
    ],
)
def test_a_temp_dir_overlapping_the_library_or_data_dir_is_refused_naming_both(
    folders, where, relation, named
):
    data, library = folders
    temp = where(data, library)
    with pytest.raises(UnsafeTempDir) as refused:
        tempdir.check(temp, library=library_root())
    message = str(refused.value)
    assert f"the temp dir (ANIWORLD_TEMP_DIR) {temp.resolve()} {relation}" in message
    assert str((library if named == "library" else data).resolve()) in message


def test_a_temp_dir_reached_through_a_symlink_is_compared_by_where_it_leads(folders, tmp_path):
    _data, library = folders
    link = tmp_path / "innocent-temp"
    link.symlink_to(library)
    with pytest.raises(UnsafeTempDir, match="is the library"):
        tempdir.check(link, library=library_root())


def test_the_root_and_home_directories_are_refused(folders, tmp_path, monkeypatch):
    with pytest.raises(UnsafeTempDir, match="is the root of the file system"):
        tempdir.check(Path("/"), library=library_root())
    home = tmp_path / "home" / "alice"
    home.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    with pytest.raises(UnsafeTempDir, match=f"is the home directory {home}"):
        tempdir.check(home, library=library_root())
    with pytest.raises(UnsafeTempDir, match=f"contains the home directory {home}"):
        tempdir.check(home.parent, library=library_root())


def test_a_temp_dir_of_its_own_is_accepted(folders, tmp_path):
    tempdir.check(tmp_path / "Temp", library=library_root())


def test_a_start_with_the_temp_dir_in_the_library_refuses_before_deleting_anything(
    folders, settings
):
    _data, library = folders
    stray = library / "item-1.mp4"  # even a name the worker uses survives a refused start
    stray.write_bytes(b"the owner's file")
    settings.TEMP_DIR = library
    before = sorted(p.relative_to(library) for p in library.rglob("*"))
    with pytest.raises(UnsafeTempDir):
        startup.run()
    assert sorted(p.relative_to(library) for p in library.rglob("*")) == before


def test_the_purge_creates_a_missing_temp_dir(tmp_path):
    temp = tmp_path / "Temp"
    assert tempdir.purge(temp) == 0
    assert temp.is_dir()


def test_the_purge_removes_only_the_workers_download_files(tmp_path):
    temp = tmp_path / "Temp"
    (temp / "item-7").mkdir(parents=True)  # a folder, even with a download's name: kept
    (temp / "item-7" / "item-7.mp4").write_bytes(b"kept")
    (temp / "holiday.mp4").write_bytes(b"not ours")
    (temp / "item-x.mp4").write_bytes(b"not ours either")
    outside = tmp_path / "outside.mp4"
    outside.write_bytes(b"a file elsewhere")
    (temp / "item-3.mp4").symlink_to(outside)
    for name in ("item-3.mp4.part", "item-3.remux.mp4", "item-12.f1.mp4.ytdl"):
        (temp / name).write_bytes(b"partial")
    assert tempdir.purge(temp) == 4
    assert sorted(p.name for p in temp.iterdir()) == ["holiday.mp4", "item-7", "item-x.mp4"]
    assert (temp / "item-7" / "item-7.mp4").read_bytes() == b"kept"
    assert outside.read_bytes() == b"a file elsewhere"


def test_a_purge_failure_is_only_a_warning(tmp_path, caplog):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the temp dir should be")
    with caplog.at_level(logging.WARNING, logger="aniworld.tempdir"):
        assert tempdir.purge(blocker) == 0
    assert "could not purge the temp dir" in caplog.text


@pytest.mark.django_db
def test_a_start_purges_leftover_downloads_from_temp(settings, tmp_path):
    settings.TEMP_DIR = tmp_path / "Temp"
    settings.TEMP_DIR.mkdir()
    (settings.TEMP_DIR / "item-4.mp4.part").write_bytes(b"partial")
    startup.run()
    assert list(settings.TEMP_DIR.iterdir()) == []


def test_a_download_stays_in_temp_when_temp_shares_the_librarys_file_system(tmp_path):
    temp, library = tmp_path / "Temp", tmp_path / "library"
    temp.mkdir()
    library.mkdir()
    series = library / "Naruto (2002)"  # not made yet: its place's file system counts
    assert tempdir.download_location(7, temp, library, series) == (temp, "item-7")


@pytest.mark.parametrize(
    ("devices", "expected"),
    [
        # Temp elsewhere: hidden in the library root, on the series folder's disk.
        ({"temp": 1, "library": 2, "series": 2}, ("library", ".aniworld-partial-item-7")),
        # Everything on one disk (by device number, not by path): Temp.
        ({"temp": 1, "library": 1, "series": 1}, ("temp", "item-7")),
        # The series folder mounted from a disk of its own: hidden in it.
        ({"temp": 1, "library": 1, "series": 3}, ("series", ".aniworld-partial-item-7")),
    ],
    ids=["temp-elsewhere", "one-disk", "series-on-its-own-disk"],
)
def test_a_download_is_written_on_its_series_folders_file_system(
    tmp_path, monkeypatch, devices, expected
):
    folders = {
        "temp": tmp_path / "Temp",
        "library": tmp_path / "library",
        "series": tmp_path / "library" / "Naruto (2002)",
    }
    folders["series"].mkdir(parents=True)
    by_path = {folders[name]: device for name, device in devices.items()}
    monkeypatch.setattr(tempdir, "device_of", lambda path: by_path[path])

    location = tempdir.download_location(7, folders["temp"], folders["library"], folders["series"])

    folder, stem = expected
    assert location == (folders[folder], stem)


def test_the_library_purge_removes_only_hidden_partials_in_the_root_and_series_folders(tmp_path):
    library = tmp_path / "library"
    series = library / "Naruto (2002)"
    (series / "Season 01").mkdir(parents=True)
    (series / ".aniworld-partial-item-8.mp4").write_bytes(b"in a series folder")
    kept = {
        series / "Naruto - S01E01.mp4": b"an episode",
        series / "Season 01" / ".aniworld-partial-item-3.mp4": b"deeper than a series folder",
        library / "item-3.mp4": b"a temp name, but the owner's",
        library / ".aniworld-partial-item-x.mp4": b"not an item",
        library / ".aniworld-partial-item-3": b"no suffix",
        library / ".hidden.mp4": b"the owner's",
    }
    for path, content in kept.items():
        path.write_bytes(content)
    (library / ".aniworld-partial-item-4.mp4").mkdir()  # a folder is never ours
    outside = tmp_path / "outside.mp4"
    outside.write_bytes(b"a file elsewhere")
    (library / ".aniworld-partial-item-5.mp4").symlink_to(outside)
    for name in (".aniworld-partial-item-3.part", ".aniworld-partial-item-12.remux.mp4"):
        (library / name).write_bytes(b"partial")

    assert tempdir.purge_library_partials(library) == 4

    assert {path: path.read_bytes() for path in kept} == kept
    assert not (series / ".aniworld-partial-item-8.mp4").exists()
    assert (library / ".aniworld-partial-item-4.mp4").is_dir()
    assert outside.read_bytes() == b"a file elsewhere"
    assert sorted(p.name for p in library.iterdir() if p.name.startswith(".aniworld")) == [
        ".aniworld-partial-item-3",
        ".aniworld-partial-item-4.mp4",
        ".aniworld-partial-item-x.mp4",
    ]


def test_the_library_purge_of_a_missing_library_creates_and_removes_nothing(tmp_path):
    assert tempdir.purge_library_partials(tmp_path / "missing") == 0
    assert not (tmp_path / "missing").exists()


@pytest.mark.django_db
def test_a_start_removes_hidden_partials_from_the_library_root(folders, settings, tmp_path):
    _data, library = folders
    settings.TEMP_DIR = tmp_path / "Temp"
    (library / ".aniworld-partial-item-4.remux.mp4").write_bytes(b"partial")
    startup.run()
    assert not (library / ".aniworld-partial-item-4.remux.mp4").exists()
    assert (library / "Naruto (2002)" / "Naruto - S01E01.mp4").read_bytes() == b"an episode"


def test_the_library_purge_removes_write_temps_of_gone_processes_anywhere_below_the_root(
    tmp_path,
):
    library = tmp_path / "library"
    season = library / "Naruto (2002)" / "Season 01"
    season.mkdir(parents=True)
    gone = subprocess.Popen(["true"])
    gone.wait()
    orphans = [
        season / f".aniworld-partial-{gone.pid}-Naruto - S01E01.nfo.k2j4l1x9.tmp",
        library / "Naruto (2002)" / f".aniworld-partial-{gone.pid}-tvshow.nfo.a8b7c6d5.tmp",
    ]
    kept = {
        # a writer still at work (this process) keeps its temp file
        season / f".aniworld-partial-{os.getpid()}-poster.jpg.zz11yy22.tmp": b"being written",
        season / ".Naruto - S01E02.nfo.abc.tmp": b"someone else's temp",
        season / "Naruto - S01E01.nfo": b"<episodedetails/>",
    }
    for path in orphans:
        path.write_bytes(b"<tvsh")
    for path, content in kept.items():
        path.write_bytes(content)

    assert tempdir.purge_library_partials(library) == 2

    assert not any(path.exists() for path in orphans)
    assert {path: path.read_bytes() for path in kept} == kept


def test_a_library_file_is_written_through_a_temp_the_purge_can_attribute(tmp_path, monkeypatch):
    seen = []
    real_replace = os.replace

    def watch(source, target):
        seen.append(Path(source).name)
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", watch)
    target = tmp_path / "Naruto (2002)" / "tvshow.nfo"
    write_library_file(target, "<tvshow/>")

    assert target.read_text() == "<tvshow/>"
    (temp_name,) = seen
    assert tempdir.LIBRARY_WRITE_TEMP.fullmatch(temp_name)["pid"] == str(os.getpid())
    assert sorted(p.name for p in target.parent.iterdir()) == ["tvshow.nfo"]
