"""Names and paths of the library on disk.

Everything here is pure string and path logic: which folder name a series gets,
how an episode file is named from the configurable template, and the guard that
keeps every path we write inside the library root.

Forbidden characters are handled like Sonarr's "smart" colon replacement, so
names stay readable instead of losing words: a colon between words becomes a
dash (``Re:Zero`` → ``Re-Zero``), a colon before a space becomes a spaced dash
(``Title: Part 2`` → ``Title - Part 2``), slashes become dashes
(``Fate/Zero`` → ``Fate-Zero``), and ``<>"|?*`` are dropped.
"""

from __future__ import annotations

import os
import re
import string
import unicodedata
from pathlib import Path, PurePosixPath, PureWindowsPath

from aniworld.languages import Language

MAX_NAME_BYTES = 200
FALLBACK_NAME = "Unnamed"

# Windows refuses these as a name or as the part before the first dot, on any drive.
RESERVED_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{n}" for n in range(1, 10)]
    + [f"LPT{n}" for n in range(1, 10)]
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_COLON_BEFORE_SPACE = re.compile(r"\s*:\s+")
_SLASH_OR_COLON = re.compile(r"[:/\\]")
_DROPPED = re.compile(r'[<>"|?*]')
_WHITESPACE = re.compile(r"\s+")


class UnsafePathError(ValueError):
    """A path would leave the library root, or cannot be checked safely."""


def sanitize_name(name: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """``name`` as one safe file or folder name component on Linux, macOS and Windows.

    The result is never empty, never hidden, never ``.`` or ``..``, never a
    reserved Windows name, and at most ``max_bytes`` bytes of UTF-8.
    """
    # NFC, because macOS hands out decomposed names: "ü" must compare equal either way.
    text = unicodedata.normalize("NFC", name)
    text = _CONTROL.sub(" ", text)
    text = _COLON_BEFORE_SPACE.sub(" - ", text)
    text = _SLASH_OR_COLON.sub("-", text)
    text = _DROPPED.sub("", text)
    text = _WHITESPACE.sub(" ", text).strip(" .")
    stem = text.split(".", 1)[0].rstrip(" ")
    if stem.upper() in RESERVED_NAMES:
        text = stem + "_" + text[len(stem) :]
    encoded = text.encode("utf-8")
    if len(encoded) > max_bytes:
        # "ignore" drops a multi-byte character cut in half instead of corrupting it.
        text = encoded[:max_bytes].decode("utf-8", "ignore").rstrip(" .")
    return text or FALLBACK_NAME


def series_folder_name(name: str, year: int | None) -> str:
    """The folder of a series: ``Name (Year)``, or ``Name`` when the year is unknown."""
    if not year or f"({year})" in name:
        return sanitize_name(name)
    suffix = f" ({year})"
    return sanitize_name(name, MAX_NAME_BYTES - len(suffix)) + suffix


def safe_join(root: str | os.PathLike[str], *parts: str | os.PathLike[str]) -> Path:
    """``root`` joined with ``parts``, resolved, and guaranteed to lie strictly inside root.

    Raises ``UnsafePathError`` for NUL bytes, absolute parts, ``..`` components,
    symbolic links that lead out of the root, and for paths naming the root itself
    (deleting "the series folder" must never delete the whole library).
    """
    base = Path(root).resolve()
    texts = [os.fspath(part) for part in parts]
    for text in texts:
        if "\x00" in text:
            raise UnsafePathError(f"The path part {text!r} contains a NUL byte.")
        if PurePosixPath(text).is_absolute() or PureWindowsPath(text).anchor:
            raise UnsafePathError(
                f"The path part {text!r} is absolute; only relative parts are allowed."
            )
        if ".." in re.split(r"[\\/]", text):
            raise UnsafePathError(f"The path part {text!r} contains '..'.")
    try:
        target = base.joinpath(*texts).resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symbolic link loop
        raise UnsafePathError(f"The path {'/'.join(texts)!r} cannot be resolved: {exc}") from exc
    if target == base or not target.is_relative_to(base):
        raise UnsafePathError(
            f"The path {'/'.join(texts)!r} leads to {target}, which is not inside the library root {base}."
        )
    return target


# --- the naming template -------------------------------------------------------

TOKENS = ("series", "year", "season", "episode", "title", "language")

_FORMATTER = string.Formatter()
# Stands for a token whose value is empty, so its separator can be removed with it.
_EMPTY = "\x00"
_SEPARATORS = r"[\s\-\u2013\u2014_.,;:+]*"  # with en and em dashes
_EMPTY_IN_BRACKETS = re.compile(r"[(\[{]\s*\x00\s*[)\]}]")
_EMPTY_AT_START = re.compile(f"^(?:{_EMPTY}{_SEPARATORS})+")
_EMPTY_AFTER_SEPARATOR = re.compile(_SEPARATORS + _EMPTY)


class TemplateError(ValueError):
    """A naming template that cannot be used; ``problems`` lists why."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def validate_template(template: str) -> list[str]:
    """Everything wrong with a naming template, as sentences for the settings page."""
    if not template.strip():
        return ["The template is empty."]
    problems: list[str] = []
    absolute = template.startswith(("/", "\\")) or bool(PureWindowsPath(template).anchor)
    if absolute:
        problems.append("The template must be a path relative to the series folder.")
    if "\\" in template:
        problems.append("Use '/' to separate folders, not '\\'.")
    components = template.split("/")
    if not absolute and any(not component.strip() for component in components):
        problems.append("The template has an empty folder or file name (check the slashes).")
    if any(component.strip() in (".", "..") for component in components):
        problems.append("The template must not contain '.' or '..' as a folder.")

    try:
        fields = [parsed for parsed in _FORMATTER.parse(template) if parsed[1] is not None]
    except ValueError:
        problems.append("The template has unbalanced braces; write {{ and }} for literal braces.")
        return problems
    allowed = ", ".join("{" + token + "}" for token in TOKENS)
    names = set()
    for _, field, spec, conversion in fields:
        names.add(field)
        if field not in TOKENS:
            problems.append(f"Unknown token {{{field}}}; allowed are {allowed}.")
        if spec or conversion:
            problems.append(
                f"Formatting inside {{{field}}} is not supported; "
                "the season has 2 digits and the episode padding is a setting of its own."
            )
    for token in ("season", "episode"):
        if token not in names:
            problems.append(
                f"The template needs {{{token}}}, or different episodes would get the same file name."
            )
    return problems


def render_episode_path(
    template: str,
    *,
    series: str,
    year: int | None,
    season: int,
    episode: int,
    title: str,
    language: str | None,
    padding: int,
    ext: str = ".mp4",
) -> PurePosixPath:
    """The episode's file path relative to the series folder, every component sanitised.

    A token with no value (no title, no year, no language) disappears together
    with the separator before it, so an untitled episode is ``… - S01E01.mp4``.
    Films are season 0 and land in ``Season 00``.
    """
    problems = validate_template(template)
    if problems:
        raise TemplateError(problems)
    if padding not in (2, 3):
        raise ValueError(f"The episode padding must be 2 or 3, not {padding}.")
    values = {
        "series": series,
        "year": str(year) if year else "",
        "season": f"{season:02d}",
        "episode": f"{episode:0{padding}d}",
        "title": title,
        "language": _file_label(language or ""),
    }
    components = [_fill(component, values) for component in template.split("/")]
    names = [sanitize_name(component) for component in components]
    names[-1] += ext
    return PurePosixPath(*names)


def preview_names(template: str, padding: int) -> list[str]:
    """Three example paths for the settings page: a plain episode, a tricky one, a film."""
    examples = [
        ("Attack on Titan", 2013, 1, 1, "To You, in 2000 Years", Language.GERMAN_DUB),
        (
            "Re:Zero - Starting Life in Another World",
            2016,
            2,
            13,
            "Tale/Part 2: Memories",
            Language.GERMAN_SUB,
        ),
        ("Demon Slayer: Kimetsu no Yaiba", 2019, 0, 1, "Mugen Train", Language.ENGLISH_SUB),
    ]
    return [
        str(
            render_episode_path(
                template,
                series=series,
                year=year,
                season=season,
                episode=episode,
                title=title,
                language=language,
                padding=padding,
            )
        )
        for series, year, season, episode, title, language in examples
    ]


def _file_label(code: str) -> str:
    """ "german-dub" → "German Dub", the words of file names; an unknown code as it is."""
    language = Language.find(code)
    return language.file_label if language else code


def _fill(component: str, values: dict[str, str]) -> str:
    """One template component with its tokens replaced; empty tokens take their separator along."""
    pieces = []
    for literal, field, _, _ in _FORMATTER.parse(component):
        pieces.append(literal)
        if field is not None:
            value = values[field].replace(_EMPTY, "")
            pieces.append(value if value.strip() else _EMPTY)
    text = "".join(pieces)
    text = _EMPTY_IN_BRACKETS.sub(_EMPTY, text)
    text = _EMPTY_AT_START.sub("", text)
    return _EMPTY_AFTER_SEPARATOR.sub("", text)
