"""Fixtures for the settings, backup, scheduler and system tests."""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path

import pytest

from system.config_changes import is_writable_dir


@pytest.fixture
def backup_dir(settings, tmp_path) -> Path:
    """Backups of this test only (the default folder lives in the shared test data dir)."""
    settings.BACKUP_DIR = tmp_path / "backups"
    return settings.BACKUP_DIR


@pytest.fixture
def log_dir(settings, tmp_path) -> Path:
    """An empty log folder; ``aniworld.logs.log_file_path()`` points into it."""
    settings.LOG_DIR = tmp_path / "logs"
    settings.LOG_DIR.mkdir()
    return settings.LOG_DIR


@pytest.fixture
def root_log_level():
    """Puts the log level back after a test that changes it."""
    root, ours = logging.getLogger(), logging.getLogger("aniworld")
    levels = root.level, ours.level
    yield
    root.setLevel(levels[0])
    ours.setLevel(levels[1])


@pytest.fixture
def read_only_dir(tmp_path) -> Path:
    """A folder nobody can create files in, not even root (who ignores mode bits):
    made immutable with chattr where the mode bits are not enough."""
    path = tmp_path / "read-only"
    path.mkdir()
    path.chmod(0o555)
    immutable = False
    if is_writable_dir(path):
        immutable = subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0
    if is_writable_dir(path):
        pytest.skip("cannot make a read-only folder here (root without chattr)")
    yield path
    if immutable:
        subprocess.run(["chattr", "-i", str(path)], check=False)
    os.chmod(path, 0o755)
