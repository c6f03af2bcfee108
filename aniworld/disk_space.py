"""Free space on a folder's disk, and the owner's minimum (Settings → Downloads).

The download worker refuses to start a download below the minimum, and the health
checks report the same folders as low by the same measure.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aniworld import config
from aniworld.errors import InsufficientStorage

GIGABYTE = 1024**3


@dataclass(frozen=True, slots=True)
class DiskSpace:
    path: Path
    total: int
    used: int
    free: int


def disk_space(path: Path) -> DiskSpace:
    """The space on the disk holding ``path``; ``OSError`` when it cannot be read."""
    usage = shutil.disk_usage(path)
    return DiskSpace(path, usage.total, usage.used, usage.free)


def min_free_bytes(downloads: Mapping[str, Any] | None = None) -> int:
    """The owner's minimum free space (``downloads.min_free_space_gb``) in bytes.

    ``downloads``: the settings a run already read (the worker keeps them for a whole
    run); the current configuration when not given.
    """
    if downloads is None:
        downloads = config.current()["downloads"]
    return int(float(downloads["min_free_space_gb"]) * GIGABYTE)


def require_free_space(folders: Mapping[str, Path], minimum: int) -> None:
    """Create each folder (``{label: path}``) when missing; ``InsufficientStorage``
    naming the first whose disk has less than ``minimum`` bytes free."""
    for label, path in folders.items():
        path.mkdir(parents=True, exist_ok=True)
        free = disk_space(path).free
        if free < minimum:
            raise InsufficientStorage(
                f"Only {free / GIGABYTE:.1f} GB free on {label} ({path}); "
                f"downloads need at least {minimum / GIGABYTE:g} GB (Settings → Downloads)."
            )
