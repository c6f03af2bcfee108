import logging

import pytest

from aniworld.startup import purge_temp_dir


def test_purge_creates_a_missing_temp_dir(tmp_path):
    temp = tmp_path / "Temp"
    assert purge_temp_dir(temp) == 0
    assert temp.is_dir()


def test_purge_removes_leftover_files_and_folders(tmp_path):
    temp = tmp_path / "Temp"
    (temp / "job-1").mkdir(parents=True)
    (temp / "job-1" / "video.mp4.part").write_bytes(b"x" * 100)
    (temp / "stray.ts").write_bytes(b"y")
    assert purge_temp_dir(temp) == 2
    assert list(temp.iterdir()) == []


def test_a_purge_failure_is_only_a_warning(tmp_path, caplog):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the temp dir should be")
    with caplog.at_level(logging.WARNING):
        assert purge_temp_dir(blocker) == 0
    assert "could not purge the temp dir" in caplog.text


@pytest.mark.django_db
def test_a_start_purges_temp_and_clears_an_old_shutdown_request(settings, tmp_path):
    from aniworld import startup

    settings.TEMP_DIR = tmp_path / "Temp"
    (settings.TEMP_DIR / "old").mkdir(parents=True)
    startup.request_worker_shutdown()
    startup.run()
    assert not startup.worker_shutdown_requested()
    assert list(settings.TEMP_DIR.iterdir()) == []
