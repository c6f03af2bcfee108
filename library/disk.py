"""The disk scanner: which episodes of which series lie in the library folder.

Every top-level folder of the library root is one series, tied to a series of the
index by its ``data`` file (``library.data_file``). Episode files are recognised by
name at any depth of it (``library.episode_names``).

The walk never follows symbolic links, so it cannot leave the root or loop, and it
does not stat files: sizes are read on demand (``SeriesFolderScan.file_size``), because
a stat per file made a first scan of 100,000 files 60% slower (bench/scan_disk.py).
For the same reason the names of a folder holding only "… S01E02 …" videos are read
with one search over all of them, and their ``DiskEpisode`` objects are made when
first read (``DiskEpisodes``). A ``ScanCache`` kept by the caller makes a rescan of
an unchanged library cost one stat per directory.

This module needs no Django setup.
"""

from __future__ import annotations

import logging
import os
import stat
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import attrgetter
from pathlib import Path
from typing import overload

from library.data_file import DATA_FILE, SeriesRef, _load_data_file
from library.episode_names import (
    _folder_season,
    _is_video,
    _language,
    _parse_name,
    _tag_numbers,
    _tags_of_names,
    _tags_of_videos,
)

logger = logging.getLogger(__name__)

# NAS housekeeping and the Jellyfin/Plex extras folders: their videos are never episodes.
SKIPPED_FOLDERS = frozenset(
    {
        "@eadir",
        "#recycle",
        "$recycle.bin",
        "lost+found",
        "system volume information",
        "extras",
        "featurettes",
        "behind the scenes",
        "deleted scenes",
        "interviews",
        "samples",
        "trailers",
    }
)
# A directory written to within this time before a scan may change again within the
# same timestamp tick (or the 2 s of FAT), unseen by its mtime; such folders are not cached.
RACY_WINDOW_NS = 2_000_000_000


@dataclass(slots=True)
class DiskEpisode:
    """One episode file. Treat it as read-only: the scan cache hands out the same objects.

    (Not frozen: a frozen dataclass takes four times longer to create, and a scan
    creates one per file.)
    """

    season: int
    episode: int
    language: str | None
    path: str  # relative to the series folder, "/"-separated


class DiskEpisodes(Sequence[DiskEpisode]):
    """The episode files of a series folder, sorted by season, episode and path.

    A scan decides which files are which episodes, but makes their ``DiskEpisode``
    objects (two thirds more time on a first scan) on first use, then keeps them: a
    scan for the unmatched folders, or of series whose episodes nobody reads, needs
    none. Immutable, and equal to the tuple of its episodes.
    """

    __slots__ = ("_built", "_count", "_pending")

    def __init__(self, episodes: list[DiskEpisode], tagged: list[_TaggedNames]) -> None:
        count = len(episodes)
        for chunk in tagged:
            count += chunk[2]
        self._count = count
        self._built: tuple[DiskEpisode, ...] | None = None
        self._pending: tuple[list[DiskEpisode], list[_TaggedNames]] | None = (episodes, tagged)

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> DiskEpisode: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[DiskEpisode, ...]: ...
    def __getitem__(self, index: int | slice) -> DiskEpisode | tuple[DiskEpisode, ...]:
        return self._episodes()[index]

    def __iter__(self) -> Iterator[DiskEpisode]:
        return iter(self._episodes())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DiskEpisodes):
            other = other._episodes()
        return self._episodes() == other if isinstance(other, tuple) else NotImplemented

    __hash__ = None  # type: ignore[assignment]  # like a tuple of (unhashable) DiskEpisodes

    def __repr__(self) -> str:
        return f"DiskEpisodes({self._episodes()!r})"

    def _episodes(self) -> tuple[DiskEpisode, ...]:
        built = self._built
        if built is None:
            pending = self._pending
            if pending is None:  # another thread has just built them
                return self._built  # type: ignore[return-value]
            built = self._built = _build_episodes(*pending)
            self._pending = None
        return built


@dataclass(frozen=True, slots=True)
class SeriesFolderScan:
    folder: str  # the folder's name in the library root
    path: str
    ref: SeriesRef | None  # None: no usable data file, the folder is unmatched
    episodes: DiskEpisodes
    ignored_files: int  # files that are not episodes: nfo, artwork, subtitles, partial downloads
    unrecognised: tuple[str, ...]  # videos whose season and episode could not be told
    unreadable: tuple[str, ...]  # folders that could not be listed, relative ("." = the folder)

    @property
    def complete(self) -> bool:
        """False when part of the folder could not be read: absent episodes may still exist."""
        return not self.unreadable

    def file_path(self, episode: DiskEpisode) -> Path:
        return Path(self.path, episode.path)

    def file_size(self, episode: DiskEpisode) -> int:
        """The episode file's size in bytes, read now (``OSError`` when it is gone)."""
        return os.stat(os.path.join(self.path, episode.path), follow_symlinks=False).st_size


@dataclass(frozen=True, slots=True)
class LibraryScan:
    root: Path
    series: tuple[SeriesFolderScan, ...]  # sorted by folder name
    reused: int  # folders answered from the cache

    @property
    def unreadable(self) -> list[str]:
        """Every folder that could not be listed, relative to the root."""
        return [
            scan.folder if path == "." else f"{scan.folder}/{path}"
            for scan in self.series
            for path in scan.unreadable
        ]


@dataclass(frozen=True, slots=True)
class _CachedFolder:
    directories: tuple[tuple[str, int], ...]  # every directory of the folder and its mtime_ns
    data_file: tuple[int, int] | None  # the data file's (mtime_ns, size)
    result: SeriesFolderScan


@dataclass
class ScanCache:
    """Results of earlier scans, per series folder, valid while no directory in it changed.

    Keep one per library root between scans (it resets itself for another root);
    it is not thread-safe. Adding, removing or renaming anything at any depth
    changes a directory's mtime and so invalidates that series folder.
    """

    root: str = ""
    folders: dict[str, _CachedFolder] = field(default_factory=dict)


def scan_series_folder(path: str | os.PathLike[str]) -> SeriesFolderScan:
    """Scan one series folder (its symbolic links are not followed)."""
    resolved = str(Path(path).resolve())
    return _scan_folder(resolved, os.path.basename(resolved), None)[0]


def scan_library(root: str | os.PathLike[str], cache: ScanCache | None = None) -> LibraryScan:
    """Scan every series folder of the library root.

    A root that does not exist or cannot be listed raises ``OSError``: reporting an
    empty library instead would make every episode look missing. Unreadable folders
    below it are reported in the result.
    """
    root_path = Path(root).resolve(strict=True)
    root_str = str(root_path)
    if cache is not None and cache.root != root_str:
        cache.root, cache.folders = root_str, {}
    started_ns = time.time_ns()
    with os.scandir(root_str) as entries:
        folders = sorted(
            (entry.name, entry.path)
            for entry in entries
            if entry.is_dir(follow_symlinks=False) and not _is_skipped_folder(entry.name)
        )

    results: list[SeriesFolderScan] = []
    kept: dict[str, _CachedFolder] = {}
    reused = 0
    for name, path in folders:
        cached = cache.folders.get(name) if cache is not None else None
        if cached is not None and _is_unchanged(path, cached):
            results.append(cached.result)
            kept[name] = cached
            reused += 1
            continue
        directories: list[tuple[str, int]] | None = [] if cache is not None else None
        result, data_file = _scan_folder(path, name, directories)
        results.append(result)
        if directories is not None and _is_trustworthy(result, directories, data_file, started_ns):
            kept[name] = _CachedFolder(tuple(directories), data_file, result)
    if cache is not None:
        cache.folders = kept
    return LibraryScan(root=root_path, series=tuple(results), reused=reused)


def _scan_folder(
    path: str, name: str, directories: list[tuple[str, int]] | None
) -> tuple[SeriesFolderScan, tuple[int, int] | None]:
    """Walk one series folder: its scan and its data file's signature.

    With ``directories`` given, each directory's mtime is recorded there for the cache.
    """
    found: list[DiskEpisode] = []
    tagged: list[_TaggedNames] = []
    unrecognised: list[str] = []
    unreadable: list[str] = []
    ignored = 0
    ref: SeriesRef | None = None
    data_file: tuple[int, int] | None = None
    # (absolute path, path relative to the series folder + "/", season of the nearest season folder)
    pending: list[tuple[str, str, int | None]] = [(path, "", None)]
    while pending:
        directory, prefix, folder_season = pending.pop()
        files: list[str] = []
        try:
            if directories is not None:
                # Before listing: a change made while we list must leave a newer mtime.
                directories.append((prefix, os.stat(directory, follow_symlinks=False).st_mtime_ns))
            with os.scandir(directory) as entries:
                for entry in entries:
                    # Symbolic links are no episodes: they may lead anywhere, even out of the root.
                    if entry.is_file(follow_symlinks=False):
                        files.append(entry.name)
                    elif not entry.is_dir(follow_symlinks=False):
                        ignored += 1
                    elif not _is_skipped_folder(entry_name := entry.name):
                        season = _folder_season(entry_name, folder_season)
                        pending.append((entry.path, f"{prefix}{entry_name}/", season))
        except OSError as exc:
            logger.warning("Cannot read the folder %s: %s", directory, exc)
            unreadable.append(prefix.rstrip("/") or ".")
        if not prefix and DATA_FILE in files:
            ref, data_file = _load_data_file(f"{directory}/{DATA_FILE}", folder=name)
            files.remove(DATA_FILE)
            ignored += 1
        if files:
            ignored += _parse_files(files, prefix, folder_season, found, tagged, unrecognised)
    scan = SeriesFolderScan(
        folder=name,
        path=path,
        ref=ref,
        episodes=DiskEpisodes(found, tagged),
        ignored_files=ignored,
        unrecognised=tuple(sorted(unrecognised)),
        unreadable=tuple(sorted(unreadable)),
    )
    return scan, data_file


# Video names of one directory that all carry an "s01e02" tag, read but not yet made
# into DiskEpisodes: (prefix, folder season, how many, the names one a line, and their
# tags one a line: "01e02"). Lines, not lists: the garbage collector skips strings.
_TaggedNames = tuple[str, int | None, int, str, str]


def _parse_files(
    names: list[str],
    prefix: str,
    folder_season: int | None,
    found: list[DiskEpisode],
    tagged: list[_TaggedNames],
    unrecognised: list[str],
) -> int:
    """Sort one directory's file names into episodes and unrecognised videos; count the rest.

    Most folders hold nothing but videos named "… S01E02 …": one search over all
    their names at once (``_tags_of_names``) tells their episodes for a fraction of
    the cost of a search per name. Other names are parsed one by one.
    """
    block = "\n".join(names)
    lower = block.lower()
    if lower.count("\n") == len(names) - 1:  # no name with a line break in it
        tags = _tags_of_names(lower, len(names))
        if tags is not None:
            tagged.append((prefix, folder_season, len(names), block, tags))
            return 0
        lowers = lower.split("\n")
    else:
        lowers = [name.lower() for name in names]
    videos = [(name, low) for name, low in zip(names, lowers, strict=True) if _is_video(name, low)]
    if 0 < len(videos) < len(names) and not any("\n" in name for name, _ in videos):
        tags = _tags_of_videos("\n".join(low for _, low in videos), len(videos))
        if tags is not None:
            block = "\n".join(name for name, _ in videos)
            tagged.append((prefix, folder_season, len(videos), block, tags))
            return len(names) - len(videos)
    for name, low in videos:
        relative = prefix + name
        parsed = _parse_name(low, folder_season, relative)
        if parsed is None:
            unrecognised.append(relative)
        else:
            found.append(DiskEpisode(parsed[0], parsed[1], parsed[2], relative))
    return len(names) - len(videos)


def _build_episodes(
    found: list[DiskEpisode], tagged: list[_TaggedNames]
) -> tuple[DiskEpisode, ...]:
    """All the episodes of a series folder, sorted; as ``_parse_name`` would have parsed them."""
    episodes = found.copy()  # a scan's result is shared: leave its parts as they are
    for prefix, folder_season, count, block, tags in tagged:
        lower = block.lower()
        # Every language marker ends in "dub" or "sub": skip the slower search for the rest.
        languages = map(_language, lower.split("\n")) if "ub" in lower else repeat(None, count)
        for tag, language, name in zip(tags.split("\n"), languages, block.split("\n"), strict=True):
            season, episode = _tag_numbers[tag]
            episodes.append(
                DiskEpisode(0 if folder_season == 0 else season, episode, language, prefix + name)
            )
    episodes.sort(key=_EPISODE_ORDER)
    return tuple(episodes)


_EPISODE_ORDER = attrgetter("season", "episode", "path")  # paths are unique


def _is_skipped_folder(name: str) -> bool:
    return name.startswith(".") or name.lower() in SKIPPED_FOLDERS


def _is_unchanged(path: str, cached: _CachedFolder) -> bool:
    """Whether no directory of a cached series folder and not its data file changed since."""
    for prefix, mtime_ns in cached.directories:
        try:
            info = os.stat(os.path.join(path, prefix), follow_symlinks=False)
        except OSError:
            return False
        if info.st_mtime_ns != mtime_ns or not stat.S_ISDIR(info.st_mode):
            return False
    try:
        info = os.stat(os.path.join(path, DATA_FILE), follow_symlinks=False)
    except FileNotFoundError:
        return cached.data_file is None
    except OSError:
        return False
    return (info.st_mtime_ns, info.st_size) == cached.data_file


def _is_trustworthy(
    result: SeriesFolderScan,
    directories: list[tuple[str, int]],
    data_file: tuple[int, int] | None,
    started_ns: int,
) -> bool:
    """Whether a fresh folder scan may be reused while its mtimes stay the same."""
    if not result.complete:
        return False  # try the unreadable part again next time
    recent = started_ns - RACY_WINDOW_NS
    if data_file is not None and data_file[0] >= recent:
        return False
    return all(mtime_ns < recent for _, mtime_ns in directories)
