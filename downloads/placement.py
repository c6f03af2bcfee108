"""Putting a downloaded, verified file into the library: ``place_episode``.

One function names the file (the naming template), applies the collision rule
(never over another file), renames it into the series folder readable by media
servers, and records it on the episode (``library.recording``).

Placing is always a rename, so atomic: the worker has the file written on the
library's file system (``aniworld.tempdir.download_location``), in Temp when Temp
shares it, else hidden in the library root (or in the series folder, when that is
mounted from another file system than the root). A file is in the library complete, under
its final name, or not at all.
"""

from __future__ import annotations

import errno
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from aniworld.file_modes import make_library_dir, make_library_readable
from aniworld.library_root import library_root
from downloads import queue
from downloads.models import DownloadItem
from library.naming import UnsafePathError, render_episode_path, safe_join
from library.recording import record_download

log = logging.getLogger(__name__)


class PlacementError(Exception):
    """The file cannot be placed; the message says why, for a person to read."""


@dataclass(frozen=True)
class Naming:
    """The owner's naming settings (Settings → Downloads)."""

    template: str
    padding: int


@dataclass(frozen=True)
class Placed:
    path: Path  # absolute, in the library
    file_path: str  # relative to the library root, as recorded
    replaced: str  # the relative path of the file it replaced, or ""


def place_episode(source: Path, item: DownloadItem, *, language: str, naming: Naming) -> Placed:
    """Move ``source``, the verified download of ``item`` in ``language``, into its series
    folder under the naming template, and record it on the episode.

    Raises ``PlacementError`` when the name is unsafe, another file has it, or the
    folder lies on another file system than ``source``.
    """
    episode, series = item.episode, item.episode.series
    root = library_root()
    if root is None:
        raise PlacementError("No library directory is configured.")
    relative = render_episode_path(
        naming.template,
        series=series.name,
        year=series.year,
        season=episode.season,
        episode=episode.number,
        title=episode.title or episode.title_en,
        language=language,
        padding=naming.padding,
    )
    try:
        target = safe_join(root, series.folder, str(relative))
    except UnsafePathError as exc:
        raise PlacementError(f"The episode's file name is not safe: {exc}") from exc
    file_path = target.relative_to(root.resolve()).as_posix()
    current = _current_file(root, item)
    # A run of this item killed between the move and recording it left the file there.
    ours = item.file_path == file_path
    if target.exists() and not ours and not (item.upgrade and current == target):
        raise PlacementError(f"A file already exists at {target}; it was not overwritten.")
    make_library_dir(target.parent)
    # Recorded before the move, so that a later run knows whose file that is.
    queue.claimed(item).update(file_path=file_path)
    try:
        move_into_library(source, target)
    except OSError as exc:
        if not target.exists():
            DownloadItem.objects.filter(id=item.id).update(file_path="")
        raise PlacementError(_move_failure(source, target, exc)) from exc
    record_download(episode, file_path, size=target.stat().st_size, language=language)
    replaced = episode.file_path if episode.file_path != file_path else ""
    if item.upgrade and replaced:
        _remove_replaced(root, replaced)
    return Placed(target, file_path, replaced)


def move_into_library(source: Path, target: Path) -> None:
    """Rename ``source`` to ``target`` and make it readable by media servers."""
    os.replace(source, target)
    make_library_readable(target)


def _current_file(root: Path, item: DownloadItem) -> Path | None:
    if not item.episode.file_path:
        return None
    return (root / item.episode.file_path).resolve()


def _move_failure(source: Path, target: Path, exc: OSError) -> str:
    if exc.errno == errno.EXDEV:
        return (
            f"{target.parent} lies on another file system than {source.parent}, where the "
            "download was written; a folder of the series mounted from elsewhere cannot be "
            "placed into by a rename."
        )
    return f"The file could not be moved into the library at {target}: {exc.strerror or exc}."


def _remove_replaced(root: Path, old_path: str) -> None:
    try:
        safe_join(root, old_path).unlink(missing_ok=True)
    except (UnsafePathError, OSError) as exc:
        log.warning("could not remove the replaced file %s: %s", old_path, exc)
