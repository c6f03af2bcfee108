"""Putting a verified file into the library: atomically, and never half.

Within one file system a rename is atomic. Across file systems (Temp on another
volume) the file is copied to a hidden name beside its target, synced, then
renamed; a kill during that copy leaves the hidden copy, which the restart after
it removes (``remove_partial_copy``) because the item recorded its target first.
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable
from pathlib import Path

from aniworld.file_modes import make_library_readable
from downloads.media import DownloadCancelled
from library.naming import UnsafePathError, safe_join

log = logging.getLogger(__name__)

COPY_CHUNK_BYTES = 4 * 1024 * 1024


def partial_copy_of(target: Path) -> Path:
    return target.with_name(f".{target.name}.aniworld-partial")


def move_atomically(
    source: Path, target: Path, should_stop: Callable[[], bool] = lambda: False
) -> None:
    """Rename ``source`` to ``target``; across file systems copy to a hidden name first.

    A copy (which can take a while onto a network share) asks ``should_stop`` between
    chunks and raises ``DownloadCancelled`` when told to, leaving no copy behind.
    """
    try:
        os.replace(source, target)
        make_library_readable(target)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    partial = partial_copy_of(target)
    try:
        with open(source, "rb") as reader, open(partial, "wb") as writer:
            while chunk := reader.read(COPY_CHUNK_BYTES):
                if should_stop():
                    raise DownloadCancelled("the copy into the library was stopped")
                writer.write(chunk)
            writer.flush()
            os.fsync(writer.fileno())
        make_library_readable(partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    source.unlink(missing_ok=True)


def remove_partial_copy(root: Path, relative: str) -> bool:
    """Remove the hidden copy a kill may have left for the file at ``relative``."""
    try:
        partial = partial_copy_of(safe_join(root, relative))
        if partial.is_file():
            partial.unlink()
            log.warning("removed the unfinished copy %s", partial)
            return True
    except (UnsafePathError, OSError) as exc:
        log.warning("could not remove the unfinished copy of %s: %s", relative, exc)
    return False
