import json
import logging
import os
import time
from pathlib import Path

import pytest

from library.data_file import SeriesRef, read_data_file, write_data_file
from library.disk import DiskEpisode, ScanCache, scan_library, scan_series_folder

AN_HOUR_AGO = time.time() - 3600


def make_files(root: Path, *relative_paths: str, content: bytes = b"") -> None:
    for relative in relative_paths:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def age(root: Path) -> None:
    """Date every folder and file an hour back, out of the scan cache's racy window."""
    for directory, folders, files in os.walk(root):
        for name in folders + files:
            os.utime(Path(directory, name), (AN_HOUR_AGO, AN_HOUR_AGO), follow_symlinks=False)
    os.utime(root, (AN_HOUR_AGO, AN_HOUR_AGO))


def write_ref(folder: Path, key: str) -> SeriesRef:
    ref = SeriesRef(key=key, name=key.title(), site="aniworld.to", folder=folder.name)
    write_data_file(folder, ref)
    return ref


def episodes_of(scan, folder: str) -> list[tuple[int, int, str | None, str]]:
    series = next(series for series in scan.series if series.folder == folder)
    return [(e.season, e.episode, e.language, e.path) for e in series.episodes]


# --- scan_library ----------------------------------------------------------------------


@pytest.fixture
def library(tmp_path):
    root = tmp_path / "library"
    aot = root / "Attack on Titan (2013)"
    make_files(
        aot,
        "Season 01/Attack on Titan - S01E01 - To You, in 2000 Years.mp4",
        "Season 01/Attack on Titan - S01E02 - That Day.mkv",
        "Season 02/Disc 2/Attack on Titan - S02E05 - Historia.mp4",
        "Season 00/Attack on Titan - S00E01 - Ilse's Notebook.mp4",
        "tvshow.nfo",
        "poster.jpg",
        "Season 01/Attack on Titan - S01E01 - To You, in 2000 Years.de.srt",
        "Season 01/Attack on Titan - S01E03 - Partial.mp4.part",
        "Season 01/Attack on Titan - S01E03 - Partial.mp4.part-Frag7",
        "Season 01/.Attack on Titan - S01E04 - Hidden.mp4",
        ".actors/Eren.mp4",
        "Extras/Attack on Titan - S01E99 - Trailer.mp4",
        "Season 01/holiday video.mp4",
    )
    write_ref(aot, "attack-on-titan")
    # The seed's older flat layout, and no data file: an unmatched folder.
    make_files(
        root / "Naruto",
        "Naruto - S01E001 - (German Dub).mp4",
        "Naruto - S01E002 - (German Sub).mp4",
    )
    make_files(root / "進撃の巨人", "進撃の巨人 - S01E01.mp4")
    make_files(root, "loose file in the root.mp4", ".hidden series/x - S01E01.mp4")
    return root


def test_the_scan_lists_every_series_folder_in_name_order(library):
    scan = scan_library(library)
    assert [series.folder for series in scan.series] == [
        "Attack on Titan (2013)",
        "Naruto",
        "進撃の巨人",
    ]
    assert scan.root == library.resolve()


def test_the_scan_finds_episodes_at_any_depth_and_films_in_season_00(library):
    assert episodes_of(scan_library(library), "Attack on Titan (2013)") == [
        (0, 1, None, "Season 00/Attack on Titan - S00E01 - Ilse's Notebook.mp4"),
        (1, 1, None, "Season 01/Attack on Titan - S01E01 - To You, in 2000 Years.mp4"),
        (1, 2, None, "Season 01/Attack on Titan - S01E02 - That Day.mkv"),
        (2, 5, None, "Season 02/Disc 2/Attack on Titan - S02E05 - Historia.mp4"),
    ]


def test_the_scan_reads_the_seeds_flat_names_with_their_language(library):
    assert episodes_of(scan_library(library), "Naruto") == [
        (1, 1, "german-dub", "Naruto - S01E001 - (German Dub).mp4"),
        (1, 2, "german-sub", "Naruto - S01E002 - (German Sub).mp4"),
    ]


def test_a_folder_with_a_data_file_is_matched_and_one_without_is_not(library):
    scan = scan_library(library)
    refs = {series.folder: series.ref for series in scan.series}
    assert refs["Attack on Titan (2013)"].key == "attack-on-titan"
    assert refs["Naruto"] is None


def test_artwork_subtitles_partial_and_hidden_files_are_ignored_and_counted(library):
    aot = scan_library(library).series[0]
    # data, tvshow.nfo, poster.jpg, the .srt, two partial downloads, the hidden video
    assert aot.ignored_files == 7
    assert aot.unrecognised == ("Season 01/holiday video.mp4",)


def test_hidden_folders_and_extras_are_not_entered(library):
    paths = [episode.path for episode in scan_library(library).series[0].episodes]
    assert not any(path.startswith((".actors", "Extras")) for path in paths)


def test_a_corrupt_data_file_does_not_stop_the_scan(library, caplog):
    (library / "Naruto" / "data").write_text("{broken")
    with caplog.at_level(logging.WARNING, logger="library.data_file"):
        scan = scan_library(library)
    naruto = next(series for series in scan.series if series.folder == "Naruto")
    assert naruto.ref is None
    assert len(naruto.episodes) == 2
    assert "Naruto" in caplog.text


def test_the_size_of_an_episode_file_is_read_on_demand(tmp_path):
    make_files(tmp_path / "Show", "Show - S01E01.mp4", content=b"x" * 1234)
    series = scan_library(tmp_path).series[0]
    assert series.file_size(series.episodes[0]) == 1234
    assert series.file_path(series.episodes[0]) == tmp_path.resolve() / "Show" / "Show - S01E01.mp4"


def test_symbolic_links_out_of_the_root_are_not_followed(tmp_path):
    root = tmp_path / "library"
    outside = tmp_path / "outside"
    make_files(outside, "Secret - S01E01.mp4", "Nested/Secret - S01E02.mp4")
    make_files(root / "Show", "Show - S01E01.mp4")
    (root / "Linked Series").symlink_to(outside)
    (root / "Show" / "Season 02").symlink_to(outside / "Nested")
    (root / "Show" / "Show - S01E09.mp4").symlink_to(outside / "Secret - S01E01.mp4")

    scan = scan_library(root)

    assert [series.folder for series in scan.series] == ["Show"]
    assert episodes_of(scan, "Show") == [(1, 1, None, "Show - S01E01.mp4")]
    assert scan.series[0].ignored_files == 2  # the linked file and the linked folder


def test_a_data_file_that_links_out_of_the_root_is_not_read(tmp_path, caplog):
    root = tmp_path / "library"
    make_files(root / "Show", "Show - S01E01.mp4")
    (tmp_path / "ref.json").write_text('{"key": "planted"}')
    (root / "Show" / "data").symlink_to(tmp_path / "ref.json")
    with caplog.at_level(logging.WARNING, logger="library.data_file"):
        assert scan_library(root).series[0].ref is None
        assert read_data_file(root / "Show") is None


def test_a_folder_that_cannot_be_read_is_reported_and_the_scan_goes_on(library, monkeypatch):
    # The tests may run as root, which reads any folder: refuse one the way the OS would.
    real_scandir = os.scandir
    locked = str(library.resolve() / "Attack on Titan (2013)" / "Season 01")

    def scandir(path="."):
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    scan = scan_library(library)

    aot = scan.series[0]
    assert aot.unreadable == ("Season 01",)
    assert not aot.complete
    assert [episode.season for episode in aot.episodes] == [0, 2]
    assert scan.unreadable == ["Attack on Titan (2013)/Season 01"]
    assert all(series.complete for series in scan.series[1:])


def test_a_missing_library_root_is_an_error_not_an_empty_library(tmp_path):
    with pytest.raises(FileNotFoundError):
        scan_library(tmp_path / "unplugged disk")


def test_one_series_folder_can_be_scanned_alone(library):
    naruto = scan_series_folder(library / "Naruto")
    assert naruto.folder == "Naruto"
    assert [episode.episode for episode in naruto.episodes] == [1, 2]
    assert naruto.episodes[0] == DiskEpisode(
        1, 1, "german-dub", "Naruto - S01E001 - (German Dub).mp4"
    )


# --- the scan cache ----------------------------------------------------------------------


@pytest.fixture
def cached(library):
    """A library dated out of the racy window, scanned once into a cache."""
    age(library)
    cache = ScanCache()
    first = scan_library(library, cache)
    assert first.reused == 0
    return library, cache, first


def test_a_rescan_with_nothing_changed_comes_from_the_cache(cached):
    library, cache, first = cached
    again = scan_library(library, cache)
    assert again.reused == len(first.series) == 3
    assert again.series == first.series


def test_a_file_added_in_a_nested_season_folder_is_seen(cached):
    library, cache, _ = cached
    make_files(library / "Attack on Titan (2013)", "Season 02/Disc 2/Attack on Titan - S02E06.mp4")
    again = scan_library(library, cache)
    assert (2, 6) in [(e.season, e.episode) for e in again.series[0].episodes]
    assert again.reused == 2


def test_a_file_removed_from_a_nested_folder_is_seen(cached):
    library, cache, _ = cached
    (
        library / "Attack on Titan (2013)/Season 02/Disc 2/Attack on Titan - S02E05 - Historia.mp4"
    ).unlink()
    again = scan_library(library, cache)
    assert 2 not in [episode.season for episode in again.series[0].episodes]


def test_a_data_file_edited_in_place_is_seen(cached):
    library, cache, _ = cached
    data = library / "Attack on Titan (2013)" / "data"
    data.write_text(json.dumps({"key": "shingeki", "name": "Shingeki", "site": "aniworld.to"}))
    assert scan_library(library, cache).series[0].ref.key == "shingeki"


def test_new_and_removed_series_folders_are_seen(cached):
    library, cache, _ = cached
    make_files(library / "Frieren", "Frieren - S01E01.mp4")
    for path in sorted((library / "Naruto").iterdir()):
        path.unlink()
    (library / "Naruto").rmdir()
    again = scan_library(library, cache)
    assert [series.folder for series in again.series] == [
        "Attack on Titan (2013)",
        "Frieren",
        "進撃の巨人",
    ]
    assert again.reused == 2


def test_folders_written_just_now_are_not_trusted_to_the_cache(library):
    cache = ScanCache()
    scan_library(library, cache)
    assert scan_library(library, cache).reused == 0


def test_a_folder_that_could_not_be_read_is_read_again_next_time(cached, monkeypatch):
    library, _, _ = cached
    real_scandir = os.scandir
    locked = str(library.resolve() / "Naruto")

    def scandir(path="."):
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return real_scandir(path)

    cache = ScanCache()
    monkeypatch.setattr(os, "scandir", scandir)
    assert not scan_library(library, cache).series[1].complete
    monkeypatch.setattr(os, "scandir", real_scandir)
    again = scan_library(library, cache)
    assert again.series[1].complete
    assert len(again.series[1].episodes) == 2


def test_a_cache_used_for_another_root_starts_over(cached, tmp_path):
    _, cache, _ = cached
    other = tmp_path / "other library"
    make_files(other / "Attack on Titan (2013)", "x - S05E05.mp4")
    age(other)
    scan = scan_library(other, cache)
    assert scan.reused == 0
    assert episodes_of(scan, "Attack on Titan (2013)") == [(5, 5, None, "x - S05E05.mp4")]
