"""Modes: the data dir is private (0700/0600), the library readable by a media server."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from aniworld import file_modes, logs, startup
from aniworld.file_modes import write_library_file
from downloads.placement import move_into_library
from library.data_file import SeriesRef, write_data_file
from nfo.tvshow import TvShowNfo
from nfo.tvshow_xml import write_nfo
from system import backups


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o077], ids=["umask-022", "umask-077"])
def umask(request):
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


def test_the_umask_is_read_without_changing_it(umask):
    assert file_modes.current_umask() == umask
    assert file_modes.current_umask() == umask


# -- library files ---------------------------------------------------------------------


def test_library_files_are_readable_by_others_whatever_the_umask(tmp_path, umask):
    write_library_file(tmp_path / "tvshow.nfo", "<tvshow/>")
    write_library_file(tmp_path / "poster.jpg", b"\xff\xd8\xff")
    write_nfo(tmp_path / "Dark", TvShowNfo(title="Dark"))
    write_data_file(
        tmp_path / "Dark", SeriesRef(key="dark", name="Dark", site="s.to", folder="Dark")
    )
    for path in [tmp_path / "tvshow.nfo", tmp_path / "poster.jpg", *(tmp_path / "Dark").iterdir()]:
        assert mode_of(path) == 0o644, path


def test_library_files_honour_a_umask_that_gives_more(tmp_path):
    previous = os.umask(0o002)
    try:
        write_library_file(tmp_path / "tvshow.nfo", "<tvshow/>")
    finally:
        os.umask(previous)
    assert mode_of(tmp_path / "tvshow.nfo") == 0o664


def test_library_folders_can_be_entered_by_others_whatever_the_umask(tmp_path, umask):
    library = tmp_path / "library"
    library.mkdir(mode=0o700)
    file_modes.make_library_dir(library / "Dark (2017)" / "Season 01")
    assert mode_of(library / "Dark (2017)") == 0o755
    assert mode_of(library / "Dark (2017)" / "Season 01") == 0o755
    assert mode_of(library) == 0o700  # the owner's own folder is not ours to change


def test_a_placed_media_file_is_readable_by_others_like_the_nfo_beside_it(tmp_path, umask):
    source = tmp_path / "Temp" / "episode.mp4"
    source.parent.mkdir()
    source.write_bytes(b"media")  # made under the umask: 0600 with 077
    target = tmp_path / "library" / "episode.mp4"
    target.parent.mkdir()
    move_into_library(source, target)
    assert mode_of(target) == 0o644


# -- the data dir ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_backup_is_0600_in_a_0700_folder(settings, tmp_path, umask):
    settings.BACKUP_DIR = tmp_path / "backups"
    info = backups.create_backup()
    assert mode_of(settings.BACKUP_DIR) == 0o700
    assert mode_of(settings.BACKUP_DIR / info.name) == 0o600


def test_log_files_are_0600_also_after_a_rotation(tmp_path, umask):
    handler = logs.PrivateRotatingFileHandler(tmp_path / "aniworld.log", maxBytes=50, backupCount=2)
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "x" * 60, None, None)
    try:
        handler.emit(record)
        handler.emit(record)
    finally:
        handler.close()
    files = sorted(tmp_path.iterdir())
    assert [path.name for path in files][:2] == ["aniworld.log", "aniworld.log.1"]
    assert all(mode_of(path) == 0o600 for path in files)


@pytest.fixture
def old_install(settings, tmp_path):
    """A data dir as an older version left it: everything readable by everyone."""
    data = tmp_path / "data"
    for relative in (
        "aniworld.db",
        "aniworld.db-wal",
        "secret_key",
        "jwt_secret_key",
        "config.json",
        "logs/aniworld.log",
        "logs/aniworld.log.1",
        "backups/aniworld-backup-20260101-000000.zip",
    ):
        path = data / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}" if relative == "config.json" else "x")
    for path in [data, *data.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    outside = tmp_path / "elsewhere-backups"
    outside.mkdir(mode=0o755)
    (outside / "aniworld-backup-20260102-000000.zip").write_text("x")
    (outside / "aniworld-backup-20260102-000000.zip").chmod(0o644)
    (outside / "holiday.jpg").write_text("not ours")
    (outside / "holiday.jpg").chmod(0o644)
    settings.DATA_DIR = data
    settings.BACKUP_DIR = outside
    return data, outside


def test_a_start_makes_an_old_install_private(old_install, caplog):
    data, _ = old_install
    # The logger's own level too: a test before may have set the app's log level higher.
    with caplog.at_level(logging.WARNING, logger="aniworld.startup"):
        startup.secure_data_dir()
    for path in [data, *data.rglob("*")]:
        assert mode_of(path) == (0o700 if path.is_dir() else 0o600), path
    assert "private" in caplog.text


def test_outside_the_data_dir_a_start_touches_only_our_backups(old_install):
    _, outside = old_install
    startup.secure_data_dir()
    assert mode_of(outside / "aniworld-backup-20260102-000000.zip") == 0o600
    assert mode_of(outside / "holiday.jpg") == 0o644
    assert mode_of(outside) == 0o755


def test_a_library_or_temp_dir_inside_the_data_dir_is_left_alone(
    old_install, settings, monkeypatch
):
    data, _ = old_install
    library, temp = data / "anime", data / "Temp"
    for folder in (library, temp):
        (folder / "Dark").mkdir(parents=True, mode=0o755)
        (folder / "Dark" / "tvshow.nfo").write_text("<tvshow/>")
        (folder / "Dark" / "tvshow.nfo").chmod(0o644)
    monkeypatch.setenv("ANIME_DIRECTORY", str(library))
    settings.TEMP_DIR = temp
    startup.secure_data_dir()
    for folder in (library, temp):
        assert mode_of(folder / "Dark") == 0o755
        assert mode_of(folder / "Dark" / "tvshow.nfo") == 0o644
    assert mode_of(data / "aniworld.db") == 0o600


@pytest.mark.django_db
def test_the_start_up_sequence_secures_the_data_dir(old_install, settings, tmp_path):
    settings.TEMP_DIR = tmp_path / "Temp"
    startup.run()
    data, _ = old_install
    assert mode_of(data) == 0o700
    assert mode_of(data / "aniworld.db") == 0o600
    assert mode_of(data / "logs" / "aniworld.log") == 0o600


def test_a_symlink_in_the_data_dir_is_not_followed(tmp_path):
    target = tmp_path / "shared.txt"
    target.write_text("x")
    target.chmod(0o644)
    data = tmp_path / "data"
    data.mkdir()
    (data / "link").symlink_to(target)
    file_modes.secure_tree(data)
    assert mode_of(target) == 0o644
