"""Secrets generated once and kept in the data dir, so sessions and tokens survive restarts.

A secret file appears only complete: it is written to a temp file, flushed and
renamed into place. An empty file (left by an older version that crashed between
creating and writing it) counts as missing, so it can never become the key. A
lock beside it lets exactly one of several processes starting at once write it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import tempfile
from pathlib import Path


def load_or_create_secret(path: Path) -> str:
    """The secret stored at ``path``; a new random one (file mode 600) when missing or empty."""
    path = Path(path)
    value = _read(path)
    if value:
        return value
    path.parent.mkdir(parents=True, exist_ok=True)
    with _locked(path.with_name(f".{path.name}.lock")):
        value = _read(path)  # another process may have written it meanwhile
        if not value:
            value = secrets.token_urlsafe(50)
            _write_atomically(path, value + "\n")
    return value


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return ""


@contextlib.contextmanager
def _locked(lock_path: Path):
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _write_atomically(path: Path, text: str) -> None:
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
