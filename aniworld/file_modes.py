"""File modes: the data dir is private, the library is for media servers to read.

The data dir holds the database (live refresh tokens, session keys), backups of
it, logs and the secrets: the folders are 0700 and the files 0600, for new files
and, at every start, for those an older version left readable
(``aniworld.startup.secure_data_dir``).

Library files (media, tvshow.nfo, artwork, ``data``) are read by Jellyfin, Kodi
or Plex, often running as another user: they get the mode the umask gives a new
file, but never less than 0644 (``library_file_mode``); the folders we make for
them at least 0755 (``make_library_dir``).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

from aniworld.config import write_atomically
from aniworld.tempdir import library_write_prefix

log = logging.getLogger("aniworld.files")

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
LIBRARY_FILE_MIN_MODE = 0o644
LIBRARY_DIR_MIN_MODE = 0o755

_umask_lock = threading.Lock()


def current_umask() -> int:
    """The process's umask, read without changing it where Linux tells it."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        status = ""
    found = re.search(r"^Umask:\s*([0-7]+)$", status, re.MULTILINE)
    if found:
        return int(found.group(1), 8)
    with _umask_lock:  # elsewhere: set and restore, briefly
        umask = os.umask(0o022)
        os.umask(umask)
    return umask


def library_file_mode() -> int:
    """The mode of a file we put into the library: the umask's, at least 0644."""
    return (0o666 & ~current_umask()) | LIBRARY_FILE_MIN_MODE


def make_library_readable(path: Path) -> None:
    os.chmod(path, library_file_mode())


def make_library_dir(path: Path) -> None:
    """Create a folder of the library (and its missing parents) that a media server
    can enter: the umask's mode, at least 0755 (a 0644 file in a 0700 folder is no use)."""
    missing = []
    parent = Path(path)
    while not parent.exists() and parent != parent.parent:
        missing.append(parent)
        parent = parent.parent
    Path(path).mkdir(parents=True, exist_ok=True)
    mode = (0o777 & ~current_umask()) | LIBRARY_DIR_MIN_MODE
    for folder in missing:
        os.chmod(folder, mode)


def make_private(path: Path) -> None:
    """0700 for a folder, 0600 for a file; a symlink is left alone (it is not ours)."""
    if path.is_symlink():
        return
    os.chmod(path, PRIVATE_DIR_MODE if path.is_dir() else PRIVATE_FILE_MODE)


def secure_tree(root: Path, *, skip: Iterable[Path] = ()) -> int:
    """Make ``root`` and everything in it private, except the folders in ``skip`` (a
    library or temp dir someone put inside); return how many modes changed."""
    skipped = {path.resolve() for path in skip}
    changed = 0
    for path in _tree(root, skipped):
        try:
            before = path.lstat().st_mode & 0o777
            make_private(path)
            changed += (path.lstat().st_mode & 0o777) != before
        except OSError as exc:
            log.warning("could not restrict the mode of %s: %s", path, exc)
    return changed


def _tree(root: Path, skipped: set[Path]) -> Iterator[Path]:
    if root.resolve() in skipped:
        return
    yield root
    if root.is_dir() and not root.is_symlink():
        for entry in root.iterdir():
            yield from _tree(entry, skipped)


def write_library_file(path: Path, content: str | bytes) -> None:
    """Write a file of the library (tvshow.nfo, artwork, ``data``) atomically, readable
    by a media server (a temp file alone would keep its private 0600)."""
    write_atomically(
        path, content, mode=library_file_mode(), temp_prefix=library_write_prefix(path.name)
    )
