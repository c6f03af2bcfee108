"""Episode files told by name: the season, episode and language a video file holds.

Episode files are recognised by name at any depth of a series folder:
``S01E05``/``S01E005``, ``1x05``, the seed's flat ``Name - S01E001 - (German Dub).mp4``,
``Season 2/Episode 07.mkv``, and guessit for whatever else (only then: it is slow).
For the scan's sake (bench/scan_disk.py), the names of a folder holding only
"… S01E02 …" videos are read with one search over all of them (``_tags_of_names``).

This module needs no Django setup.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from dataclasses import dataclass
from typing import Any

from aniworld.languages import Language

logger = logging.getLogger(__name__)

VIDEO_EXTENSIONS = (".mp4", ".mkv", ".avi", ".m4v", ".webm", ".ts", ".mov", ".wmv", ".flv")
# Downloaders and ffmpeg leave "x.part.mp4" or "x.temp.mp4" behind while (or after failing at) writing.
UNFINISHED_SUFFIXES = (".part", ".temp", ".tmp", ".ytdl")
# Folders whose files are films (season 0), next to "Season 00"/"Season 0".
SPECIALS_FOLDERS = frozenset({"specials", "filme", "films", "movies"})

# File-name patterns match lower-cased names: IGNORECASE makes every search slower.
# "s01e02" must not continue a word ("os01e02" is no episode tag). The look-behind comes
# after the "s" ("[^\W_]" is str.isalnum): before it, it would stop the engine from
# skipping ahead to each "s", and a search would take twice as long.
_SXXEYY_TAG = r"s(?<![^\W_]s)(\d{1,3})[ ._-]?e(\d{1,4})(?!\d)"
_SXXEYY = re.compile(_SXXEYY_TAG)
# In a block of lower-cased video names, one a line: the first tag of each line that ends
# like a video file ("01e02" of "s01e02"), one match a line as it runs to the line's end.
_TAGGED_VIDEO_LINES = re.compile(
    r"s(?<![^\W_]s)(\d{1,3}[ ._-]?e\d{1,4})(?!\d)[^\n]*\.(?:"
    + "|".join(extension[1:] for extension in VIDEO_EXTENSIONS)
    + r")$",
    re.MULTILINE,
)
_TAG_NUMBERS = re.compile(r"(\d+)[ ._-]?e(\d+)")
_NXNN = re.compile(r"(?<![a-z0-9])(\d{1,2})x(\d{1,4})(?![a-z0-9])")
_EPISODE_WORD = re.compile(
    r"(?<![a-z0-9])(?:episode|folge|ep|e|film|movie|special|ova)[ ._-]*(\d{1,4})(?!\d)"
)
_LANGUAGE = re.compile(r"(?<![a-z])(german|english|ger|eng)[ ._-]?(dub|sub)(?![a-z])")
_SEASON_FOLDER = re.compile(r"(?:season|staffel|s)[ ._-]*(\d{1,3})", re.IGNORECASE)
_LANGUAGE_WORDS = {"german": "german", "ger": "german", "english": "english", "eng": "english"}
_MAX_GUESSED_SEASON = 99  # guessit reads a year in "Show 2013 - 12" as season 2013


@dataclass(frozen=True, slots=True)
class ParsedEpisode:
    season: int
    episode: int
    language: Language | None


def is_video_name(name: str) -> bool:
    """Whether a file name is a finished video file (not hidden, not a partial download)."""
    return _is_video(name, name.lower())


def parse_episode_file(relative_path: str | os.PathLike[str]) -> ParsedEpisode | None:
    """Season, episode and language of a video file, or None when it is none or not understood."""
    parts = [part for part in re.split(r"[\\/]", os.fspath(relative_path)) if part]
    if not parts or any(part.startswith(".") for part in parts) or not is_video_name(parts[-1]):
        return None
    season: int | None = None
    for folder in parts[:-1]:
        season = _folder_season(folder, season)
    parsed = _parse_name(parts[-1].lower(), season, "/".join(parts))
    return ParsedEpisode(*parsed) if parsed else None


def _tags_of_names(lower: str, count: int) -> str | None:
    """The tags of ``count`` lower-cased file names, one a line, when all are tagged videos.

    ``_tags_of_videos`` for names not yet known to be videos: None when some name is
    hidden, unfinished, no video or lacks a tag.
    """
    # None hidden and none unfinished: then all are videos if all end like one. A
    # single dot a name (its extension's, the usual case) says so fastest.
    if lower.count(".") == count or not (
        lower.startswith(".")
        or "\n." in lower
        or ".part." in lower
        or ".temp." in lower
        or ".tmp." in lower
        or ".ytdl." in lower
    ):
        return _tags_of_videos(lower, count)
    return None


def _tags_of_videos(lower: str, count: int) -> str | None:
    """The tags ("01e02" of "s01e02") of ``count`` lower-cased video names, one a line each.

    One search over all the names costs a fraction of a search per name. None when
    some name lacks a tag (no line has two matches). None of the names may be hidden
    or unfinished.
    """
    tags = _TAGGED_VIDEO_LINES.findall(lower)
    return "\n".join(tags) if len(tags) == count else None


class _TagNumbers(dict[str, tuple[int, int]]):
    """(season, episode) of a tag such as "01e02", remembered: most tags recur in every series."""

    def __missing__(self, tag: str) -> tuple[int, int]:
        season, episode = _TAG_NUMBERS.fullmatch(tag).groups()  # type: ignore[union-attr]
        numbers = int(season), int(episode)
        if len(self) < 100_000:  # bounded: names are anybody's
            self[tag] = numbers
        return numbers


_tag_numbers = _TagNumbers()


def _is_video(name: str, lower: str) -> bool:
    """``is_video_name`` for a name already lower-cased: the scan needs ``lower`` again."""
    if name.startswith(".") or not lower.endswith(VIDEO_EXTENSIONS):
        return False
    # Most names have a single dot; only the others can hide a ".part" before the extension.
    return lower.count(".") == 1 or not lower.rpartition(".")[0].endswith(UNFINISHED_SUFFIXES)


def _parse_name(
    lower: str, folder_season: int | None, relative: str
) -> tuple[int, int, Language | None] | None:
    """(season, episode, language) of a lower-cased video file name.

    ``relative`` (the path in the series folder) is for guessit, which also reads folder names.
    """
    match = _SXXEYY.search(lower) or _NXNN.search(lower)
    if match:
        season, episode = int(match[1]), int(match[2])
    elif folder_season is not None and (word := _EPISODE_WORD.search(lower)):
        season, episode = folder_season, int(word[1])
    else:
        guessed = _guess(relative)
        if guessed is None:
            return None
        season = guessed[0] if guessed[0] is not None else folder_season
        # A bare number ("Frieren - 05") most often means an anime's only season.
        season, episode = (1 if season is None else season), guessed[1]
    if folder_season == 0:
        season = 0
    # Every language marker ends in "dub" or "sub": skip the slower search for the rest.
    return season, episode, _language(lower) if "ub" in lower else None


def _language(lower: str) -> Language | None:
    """The language a lower-cased name is marked with ("german dub", "eng-sub", …)."""
    marker = _LANGUAGE.search(lower)
    return Language.of(_LANGUAGE_WORDS[marker[1]], marker[2]) if marker else None


def _guess(relative: str) -> tuple[int | None, int] | None:
    """(season or None, episode) from guessit, or None when it finds no episode number."""
    # Imported here, not at the top: guessit takes ~0.3 s to import, every process
    # (web, worker, each manage.py command) imports this module through the URLs, and
    # only the odd names that no pattern above reads ever get this far.
    from guessit import guessit
    from guessit.api import GuessitException

    try:
        guess = guessit(relative, {"type": "episode", "episode_prefer_number": True})
    except GuessitException:
        logger.warning("guessit failed on %s", relative, exc_info=True)
        return None
    season, episode = _first(guess.get("season")), _first(guess.get("episode"))
    if not isinstance(episode, int):
        return None
    if not isinstance(season, int) or season > _MAX_GUESSED_SEASON:
        season = None
    return season, episode


def _first(value: Any) -> Any:
    """guessit answers a list for "S01E01-E02"; the first episode names the file."""
    return value[0] if isinstance(value, list) and value else value


def _folder_season(name: str, inherited: int | None) -> int | None:
    """The season that files below a folder belong to; films stay films at any depth."""
    if inherited == 0:
        return 0
    season = _season_of_folder(name)
    return inherited if season is None else season


@functools.lru_cache(maxsize=1024)  # every series has a "Season 01"
def _season_of_folder(name: str) -> int | None:
    """The season a folder's name stands for (0 for films), or None."""
    if name.lower() in SPECIALS_FOLDERS:
        return 0
    match = _SEASON_FOLDER.fullmatch(name)
    return int(match[1]) if match else None
