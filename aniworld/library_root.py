"""The library root: the configured directory that holds every series folder.

Kept in the toolkit rather than in the library app, so that accounts (the first-run
setup checks the directory) needs no app above it.
"""

from __future__ import annotations

from pathlib import Path

from aniworld import config


def library_root() -> Path | None:
    directory = config.current()["other"]["anime_directory"]
    return Path(directory) if directory else None


def library_root_problem(root: Path) -> str | None:
    """Why ``root`` cannot hold the library, after creating it when missing (as setup
    does: ``ANIME_DIRECTORY`` may name a folder nobody made yet); None when it can."""
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return (
            f"The library directory {root} does not exist and cannot be created: "
            f"{exc.strerror or exc}."
        )
    if not root.is_dir():
        return f"The library directory {root} exists but is not a directory."
    return None
