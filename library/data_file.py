"""The ``data`` file of a series folder: which series of the index the folder holds.

Every top-level folder of the library root is one series. Its ``data`` file (JSON
``{"key", "name", "site", "folder"}``) ties it to a series of the index; a folder
without a usable one is "unmatched". A bad file is logged, never raised: one broken
folder must not stop a scan of the library.

This module needs no Django setup.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from aniworld.file_modes import write_library_file

logger = logging.getLogger(__name__)

DATA_FILE = "data"
DEFAULT_SITE = "aniworld.to"
MAX_DATA_FILE_BYTES = 64 * 1024  # a real one is about 150 bytes


@dataclass(frozen=True, slots=True)
class SeriesRef:
    """The content of a folder's ``data`` file."""

    key: str
    name: str
    site: str
    folder: str


def read_data_file(folder: str | os.PathLike[str]) -> SeriesRef | None:
    """The ``data`` file of a series folder; None when absent or unusable (logged, never raised)."""
    return _load_data_file(os.path.join(folder, DATA_FILE))[0]


def write_data_file(folder: str | os.PathLike[str], ref: SeriesRef) -> None:
    """Write the ``data`` file atomically, so a crash never leaves half a file to scan."""
    content = json.dumps(asdict(ref), ensure_ascii=False, indent=2) + "\n"
    write_library_file(Path(folder) / DATA_FILE, content)


def _load_data_file(
    path: str, folder: str | None = None
) -> tuple[SeriesRef | None, tuple[int, int] | None]:
    """The data file's ref and (mtime_ns, size) signature; a bad file is logged and yields no ref.

    The scan cache (``library.disk``) keeps the signature to tell an edited file.
    """
    try:
        # os.open and os.read: a third of the cost of open(), and there is one per series.
        # O_NOFOLLOW: a "data" link could point anywhere outside the library.
        descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
        try:
            info = os.fstat(descriptor)
            raw = os.read(descriptor, MAX_DATA_FILE_BYTES)
        finally:
            os.close(descriptor)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        logger.warning("Cannot read the data file %s: %s", path, exc)
        return None, None
    signature = (info.st_mtime_ns, info.st_size)
    try:
        data = json.loads(raw)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        logger.warning(
            "The data file %s is not valid JSON (%s); the folder counts as unmatched.", path, exc
        )
        return None, signature
    ref = _ref_from_json(data, folder or os.path.basename(os.path.dirname(path)))
    if ref is None:
        logger.warning(
            'The data file %s lacks a usable "key" or has non-text fields; the folder counts as unmatched.',
            path,
        )
    return ref, signature


def _ref_from_json(data: Any, folder: str) -> SeriesRef | None:
    if not isinstance(data, dict):
        return None
    key = data.get("key")
    # A key becomes part of URLs and paths: refuse anything that could navigate.
    if (
        not isinstance(key, str)
        or not key.strip()
        or key in (".", "..")
        or "/" in key
        or "\\" in key
        or "\x00" in key
    ):
        return None
    name = data.get("name", key)
    site = data.get("site", DEFAULT_SITE)
    folder = data.get("folder", folder)
    if isinstance(name, str) and isinstance(site, str) and isinstance(folder, str):
        return SeriesRef(key, name, site, folder)
    return None
