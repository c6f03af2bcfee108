"""Renaming a series' episode files to our naming template: previewed, then applied.

Files that came from another tool keep their names until the owner asks: the
preview lists every old → new path (relative to the library root) under the
configured template, and applying it renames exactly those files, each
atomically and never over an existing file, and records the new paths on the
episodes. Each rename is announced (``library.signals.episode_renamed``), as a scan
announces a file it finds under a new name.
"""

from __future__ import annotations

import errno
import logging
import os
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from django.db import transaction

from aniworld import config
from library.catalog import require_root
from library.episode_names import is_video_name
from library.models import Episode, Series
from library.naming import UnsafePathError, render_episode_path, safe_join
from library.sync import announce_rename, series_path

log = logging.getLogger(__name__)

# File systems without hard links (FAT, some network shares) answer these.
_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK}


@dataclass(frozen=True)
class Rename:
    episode_id: int
    season: int
    episode: int
    old: str  # relative to the library root, "/"-separated
    new: str
    problem: str = ""  # why it cannot be done; empty when it can
    # Subtitles and info files named after the video ("….de.srt", "….nfo"): they move along.
    sidecars: tuple[tuple[str, str], ...] = ()

    def as_dict(self) -> dict:
        return {
            "season": self.season,
            "episode": self.episode,
            "old": self.old,
            "new": self.new,
            "problem": self.problem,
            "sidecars": [{"old": old, "new": new} for old, new in self.sidecars],
        }


def rename_plan(series: Series) -> list[Rename]:
    """Every downloaded episode whose file is not named by the template yet."""
    root = require_root()
    settings = config.current()["downloads"]
    plan = []
    targets: set[str] = set()
    episodes = series.episodes.filter(is_downloaded=True).exclude(file_path="")
    for episode in episodes.order_by("season", "number"):
        old = episode.file_path
        relative = render_episode_path(
            settings["naming_template"],
            series=series.name,
            year=series.year,
            season=episode.season,
            episode=episode.number,
            title=episode.title or episode.title_en,
            language=episode.downloaded_language or None,
            padding=int(settings["episode_padding"]),
            ext=PurePosixPath(old).suffix.lower() or ".mp4",
        )
        new = f"{series.folder}/{relative}"
        if new == old:
            continue
        plan.append(_checked(root, episode, old, new, targets))
        targets.add(new)
    return plan


def _checked(root, episode: Episode, old: str, new: str, targets: set[str]) -> Rename:
    problem = ""
    sidecars: list[tuple[str, str]] = []
    try:
        source, target = safe_join(root, old), safe_join(root, new)
        if not source.is_file():
            problem = "the file is gone"
        elif new in targets or target.exists():
            problem = "another file already has the new name"
        else:
            sidecars = _sidecars(old, new, source)
            if any((root / sidecar_new).exists() for _, sidecar_new in sidecars):
                problem = "another file already has the new name of a subtitle or info file"
    except (UnsafePathError, OSError) as exc:
        problem = str(exc)
    return Rename(episode.id, episode.season, episode.number, old, new, problem, tuple(sidecars))


def _sidecars(old: str, new: str, source) -> list[tuple[str, str]]:
    """(old, new) of the files beside the video that carry its name and more."""
    stem, new_path = PurePosixPath(old).stem, PurePosixPath(new)
    old_folder = PurePosixPath(old).parent
    return sorted(
        (str(old_folder / name), str(new_path.parent / (new_path.stem + name[len(stem) :])))
        for name in os.listdir(source.parent)
        # Another video with that start is another episode's file, not this one's.
        if name.startswith(stem + ".") and name != source.name and not is_video_name(name)
    )


def apply_renames(series: Series) -> tuple[list[Rename], list[Rename]]:
    """Rename what the plan allows: (renamed, not renamed with the reason)."""
    root = require_root()
    renamed, refused = [], []
    for rename in rename_plan(series):
        if rename.problem:
            refused.append(rename)
            continue
        try:
            source, target = safe_join(root, rename.old), safe_join(root, rename.new)
            target.parent.mkdir(parents=True, exist_ok=True)
            move_without_overwriting(source, target)
        except (OSError, UnsafePathError) as exc:
            refused.append(replace(rename, problem=str(exc)))
            continue
        for sidecar_old, sidecar_new in rename.sidecars:
            try:
                move_without_overwriting(safe_join(root, sidecar_old), safe_join(root, sidecar_new))
            except (OSError, UnsafePathError) as exc:
                log.warning("%s stays as it is: %s", sidecar_old, exc)
        with transaction.atomic():
            Episode.objects.filter(id=rename.episode_id).update(file_path=rename.new)
        renamed.append(rename)
        _remove_empty_parents(source.parent, series_path(series))
    if renamed:
        for rename in renamed:
            announce_rename(Episode.objects.get(id=rename.episode_id), rename.old)
        log.info("renamed %d files of %s", len(renamed), series.key)
    return renamed, refused


def move_without_overwriting(source, target) -> None:
    """Rename atomically; ``FileExistsError`` when ``target`` exists, even if it appeared
    a moment ago. A hard link cannot replace a file; where links are not
    supported, an exists-check and a rename are the best there is."""
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "the new name is taken", str(target)) from None
        os.rename(source, target)
        return
    os.unlink(source)


def _remove_empty_parents(directory, series_folder) -> None:
    """Folders another tool made ("Season 1") and that the rename emptied go too."""
    while directory != series_folder and directory.is_relative_to(series_folder):
        try:
            directory.rmdir()
        except OSError:
            return
        directory = directory.parent
