"""Generated secrets: kept across restarts, never empty, never half-written."""

import os
import stat

import pytest

from aniworld import secrets as stored_secrets
from aniworld.secrets import load_or_create_secret


def test_a_secret_is_generated_once_with_mode_600_and_kept(tmp_path):
    path = tmp_path / "jwt_secret_key"
    first = load_or_create_secret(path)
    assert len(first) > 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(path) == first


def test_an_empty_secret_file_left_by_a_crash_is_treated_as_missing(tmp_path):
    path = tmp_path / "jwt_secret_key"
    path.write_text("")
    value = load_or_create_secret(path)
    assert value
    assert path.read_text().strip() == value
    assert load_or_create_secret(path) == value


def test_a_crash_while_writing_leaves_no_secret_file_behind(tmp_path, monkeypatch):
    path = tmp_path / "jwt_secret_key"

    def power_cut(fd):
        raise OSError("the machine went down mid-write")

    with monkeypatch.context() as patch:
        patch.setattr(stored_secrets.os, "fsync", power_cut)
        with pytest.raises(OSError, match="went down"):
            load_or_create_secret(path)
    assert not path.exists()
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")] == []
    assert load_or_create_secret(path) == path.read_text().strip() != ""


def test_processes_starting_at_once_agree_on_one_secret(tmp_path):
    path = tmp_path / "secret_key"
    readers = []
    for _ in range(4):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: create or read the secret, report it, leave at once
            os.close(read_end)
            os.write(write_end, load_or_create_secret(path).encode())
            os._exit(0)
        os.close(write_end)
        readers.append((pid, read_end))
    values = set()
    for pid, read_end in readers:
        os.waitpid(pid, 0)
        values.add(os.read(read_end, 200).decode())
        os.close(read_end)
    assert values == {path.read_text().strip()}
