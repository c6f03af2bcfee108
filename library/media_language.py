"""The language of video files whose names do not say it, read from their stream tags.

Other tools name files ``Show - S01E01 - Title.mkv``; the audio and subtitle streams
inside still carry ISO 639-2 tags (``ger``, ``jpn``, ``eng``). The bundled ffmpeg
(imageio-ffmpeg has no ffprobe) lists them on stderr for ``ffmpeg -i <file>``:

    Stream #0:1[0x2](ger): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, stereo

Reading a file's header takes a fraction of a second, so only a few files of a
folder are looked at; a folder's files almost always share their languages.
"""

from __future__ import annotations

import logging
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

import imageio_ffmpeg

from aniworld.languages import Language

log = logging.getLogger(__name__)

SAMPLE_FILES = 3
PROBE_TIMEOUT_SECONDS = 20
_STREAM = re.compile(r"Stream #\d+:\d+(?:\[\w+\])?(?:\((\w{2,3})\))?: (Audio|Subtitle)")
_LANGUAGES = {"ger": "german", "deu": "german", "de": "german", "eng": "english", "en": "english"}


def stream_languages(ffmpeg_output: str) -> tuple[list[str], list[str]]:
    """(audio languages, subtitle languages) as ffmpeg lists them; "" for untagged streams."""
    audio, subtitles = [], []
    for language, kind in _STREAM.findall(ffmpeg_output):
        (audio if kind == "Audio" else subtitles).append(language.lower())
    return audio, subtitles


def language_of_streams(audio: list[str], subtitles: list[str]) -> Language | None:
    """A German or English audio track is a dub; otherwise (Japanese audio) the
    subtitles tell German or English subtitles."""
    spoken = {_LANGUAGES.get(code) for code in audio}
    for tongue in ("german", "english"):
        if tongue in spoken:
            return Language.of(tongue, "dub")
    if not any(audio):
        return None  # untagged audio: nothing to go by
    written = {_LANGUAGES.get(code) for code in subtitles}
    for tongue in ("german", "english"):
        if tongue in written:
            return Language.of(tongue, "sub")
    return None


def probe_language(path: Path) -> Language | None:
    """The language of one video file from its stream tags; None when untold or unreadable."""
    try:
        finished = subprocess.run(
            [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=PROBE_TIMEOUT_SECONDS,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.info("cannot read the streams of %s: %s", path, exc)
        return None
    # Without an output file ffmpeg exits with 1 after listing the input: expected.
    return language_of_streams(*stream_languages(finished.stderr))


def folder_language(paths: Iterable[Path], sample: int = SAMPLE_FILES) -> Language | None:
    """The language the first few files agree on; None when they disagree or say nothing."""
    found = {probe_language(path) for path in list(paths)[:sample]}
    if len(found) == 1:
        return found.pop()
    return None
