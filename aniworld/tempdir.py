"""The temp dir: where partial downloads live, and what the app may delete there.

The app empties its temp dir at every start and after a worker crash, so a
temp dir pointed at the wrong folder must never get that far: it may not be,
contain, or lie inside the library or the data dir, and may not be ``/`` or
(contain) a home directory. Even then the purge removes only the files the
worker names ``item-<id>.<suffix>``; folders and anything else someone put
there are left alone, and it never recurses.

A download is written where placing it is a rename (``download_location``): in
the temp dir when it shares the library's file system, else in the library root
under a hidden ``.aniworld-partial-item-<id>.<suffix>`` (or in the series folder,
when that is mounted from another file system). Library files written in place
(tvshow.nfo, artwork, episode NFOs) go through a hidden
``.aniworld-partial-<pid>-<name>.<random>.tmp`` renamed over the file. The purge
removes the download files from the root and the series folders right below it,
and the write temps of processes that are gone from anywhere in the library;
nothing else there.
"""

from __future__ import annotations

import logging
import os
import pwd
import re
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

from aniworld.instance import process_alive

log = logging.getLogger(__name__)

DOWNLOAD_FILE = re.compile(r"item-\d+\..+")
LIBRARY_PARTIAL_PREFIX = ".aniworld-partial-"
LIBRARY_PARTIAL_FILE = re.compile(re.escape(LIBRARY_PARTIAL_PREFIX) + r"item-\d+\..+")
LIBRARY_WRITE_TEMP = re.compile(re.escape(LIBRARY_PARTIAL_PREFIX) + r"(?P<pid>\d+)-.+\.tmp")


class UnsafeTempDir(Exception):
    """The configured temp dir overlaps a folder whose contents the app must keep."""


def download_basename(item_id: int) -> str:
    """The name stem of every temp file of queue item ``item_id``."""
    return f"item-{item_id}"


def library_partial_basename(item_id: int) -> str:
    """The name stem of the files queue item ``item_id`` writes into the library root
    (hidden: media servers and the library scan skip them)."""
    return LIBRARY_PARTIAL_PREFIX + download_basename(item_id)


def library_write_prefix(name: str) -> str:
    """The name start of the temp file this process writes a library file ``name`` through."""
    return f"{LIBRARY_PARTIAL_PREFIX}{os.getpid()}-{name}."


def is_orphaned_write(path: Path) -> bool:
    """A library write temp whose writer is gone (killed between write and rename)."""
    match = LIBRARY_WRITE_TEMP.fullmatch(path.name)
    return bool(match) and not process_alive(int(match["pid"])) and _is_file(path)


def _is_file(path: Path) -> bool:
    return path.is_symlink() or path.is_file()


def device_of(path: Path) -> int:
    return os.stat(path).st_dev


def nearest_existing(path: Path) -> Path:
    """``path`` or its closest ancestor that exists (a series folder is made on first use)."""
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def download_location(
    item_id: int, temp_dir: Path, library: Path, series_folder: Path
) -> tuple[Path, str]:
    """The folder and name stem of item ``item_id``'s download files, on the file system
    of its series folder, so that the finished file reaches it by a rename, never a copy:
    the temp dir when it shares that file system, else hidden in the library root, or
    hidden in the series folder itself when that is mounted from yet another one."""
    target = device_of(nearest_existing(series_folder))
    if device_of(temp_dir) == target:
        return temp_dir, download_basename(item_id)
    if device_of(library) == target:
        return library, library_partial_basename(item_id)
    return series_folder, library_partial_basename(item_id)


def is_download_file(path: Path) -> bool:
    """A temp file the worker made (a symlink counts as one: removing it removes only the link)."""
    return bool(DOWNLOAD_FILE.fullmatch(path.name)) and (path.is_symlink() or path.is_file())


def is_library_partial(path: Path) -> bool:
    """A hidden download file the worker made in the library root."""
    return bool(LIBRARY_PARTIAL_FILE.fullmatch(path.name)) and _is_file(path)


def check(temp_dir: Path | None = None, *, library: Path | None) -> None:
    """Raise ``UnsafeTempDir`` (saying which folder it overlaps) when purging would harm.

    ``library``: the library root (``aniworld.library_root``, which asks this module
    whether a root may be chosen), None when none is configured.
    """
    temp = Path(temp_dir or settings.TEMP_DIR).resolve()
    problem = overlap(temp, data_dir=Path(settings.DATA_DIR), library=library)
    if problem:
        raise UnsafeTempDir(
            f"Refusing to start: the temp dir (ANIWORLD_TEMP_DIR) {temp} {problem}. "
            "The app deletes its leftover downloads from the temp dir at every start; "
            "point ANIWORLD_TEMP_DIR at a folder of its own."
        )


def overlap(temp: Path, *, data_dir: Path, library: Path | None) -> str:
    """How ``temp`` overlaps a protected folder (e.g. "is inside the library /x"), or ""."""
    temp = temp.resolve()
    if temp == Path(temp.anchor):
        return "is the root of the file system"
    protected = [("the library", library)] if library is not None else []
    protected.append(("the data dir", data_dir))
    for label, folder in protected:
        folder = folder.resolve()
        relation = _relation(temp, folder)
        if relation:
            return f"{relation} {label} {folder}"
    for home in home_directories():
        if temp == home:
            return f"is the home directory {home}"
        if home.is_relative_to(temp):
            return f"contains the home directory {home}"
    return ""


def _relation(temp: Path, folder: Path) -> str:
    if temp == folder:
        return "is"
    if temp.is_relative_to(folder):
        return "lies inside"
    if folder.is_relative_to(temp):
        return "contains"
    return ""


def library_problem(library: Path) -> str:
    """Why ``library`` cannot be the library root next to the temp dir ("" when it can)."""
    temp = Path(settings.TEMP_DIR).resolve()
    relation = _relation(temp, Path(library).expanduser().resolve())
    if not relation:
        return ""
    where = {"is": "is the same folder", "lies inside": "lies inside it"}.get(
        relation, "contains it"
    )
    return (
        f"overlaps the temp dir {temp}, which {where}; "
        "the temp dir is emptied at every start, so choose another folder"
    )


def home_directories() -> set[Path]:
    homes = {Path.home()} | {Path(entry.pw_dir) for entry in pwd.getpwall() if entry.pw_dir}
    return {home.resolve() for home in homes if home != Path("/")}


def purge_leftovers(library: Path | None) -> int:
    """Check that the temp dir is safe to purge (``UnsafeTempDir`` if not), then remove
    the downloads left in it and those left hidden in the library."""
    check(library=library)
    return purge() + purge_library_partials(library)


def purge(temp_dir: Path | None = None) -> int:
    """Create the temp dir or remove the download files left in it; return how many went."""
    temp_dir = Path(temp_dir or settings.TEMP_DIR)

    def leftovers() -> Iterator[Path]:
        temp_dir.mkdir(parents=True, exist_ok=True)
        yield from (entry for entry in temp_dir.iterdir() if is_download_file(entry))

    return _remove_all(leftovers(), f"the temp dir {temp_dir}")


def purge_library_partials(library: Path | None) -> int:
    """Remove what failed or killed writes left in the library: the hidden download
    files in the root or a series folder right below it (``library_partial_basename``),
    and the write temps of processes that are gone, anywhere below the root (series
    folders that are symlinks included, nothing outside). Nothing else.
    ``library``: the library root, None when none is configured."""
    if library is None or not library.is_dir():
        return 0
    leftovers = (
        entry
        for folder, depth in _library_folders(library)
        for entry in folder.iterdir()
        if (depth <= 1 and is_library_partial(entry)) or is_orphaned_write(entry)
    )
    return _remove_all(leftovers, f"the library {library}")


def _remove_all(leftovers: Iterator[Path], where: str) -> int:
    """Remove each file ``leftovers`` finds; how many went (a folder that cannot be read
    or a file that cannot be removed ends the purge with a warning)."""
    removed = 0
    try:
        for entry in leftovers:
            entry.unlink(missing_ok=True)
            removed += 1
    except OSError as exc:
        log.warning("could not purge %s: %s", where, exc)
    if removed:
        log.warning("removed %d unfinished download file(s) from %s", removed, where)
    return removed


def _library_folders(library: Path) -> Iterator[tuple[Path, int]]:
    """The root (depth 0) and every folder below it with its depth; a series folder
    that is a symlink is entered, symlinks deeper down are not (no loops)."""
    yield library, 0
    for entry in library.iterdir():
        if not entry.is_dir():
            continue
        for folder, subfolders, _files in os.walk(entry):
            yield Path(folder), 1 + len(Path(folder).relative_to(entry).parts)
            subfolders.sort()
