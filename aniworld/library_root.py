"""The library root: the configured directory that holds every series folder, and
whether a folder can be one.

Kept in the toolkit rather than in the library app, so that accounts (the first-run
setup checks the directory) needs no app above it. Setup, the settings, adding a
series and the start all ask the same question: the folder can be made
(``ANIME_DIRECTORY`` may name one nobody made yet), it is a folder, and it does not
overlap the temp dir, which every start empties.
"""

from __future__ import annotations

from pathlib import Path

from aniworld import config, tempdir


def library_root() -> Path | None:
    directory = config.current()["other"]["anime_directory"]
    return Path(directory) if directory else None


def library_root_problem(root: Path) -> str | None:
    """Why ``root`` cannot hold the library, after creating it when missing; None when
    it can."""
    if overlap := tempdir.library_problem(root):
        return f"The library directory {overlap}."
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
