"""Download one episode's media, turn it into an mp4 and make sure it plays.

yt-dlp does the transfer (its native HLS and HTTP downloaders, retries, resume
from ``.part`` files); ffmpeg from ``imageio-ffmpeg`` remuxes what is not mp4
yet and reads the duration back, because hosters sometimes serve an HTML page
or a cut-off file with a 200 status. Every file lives in ``temp_dir`` under
``<basename>.*`` until the caller moves the finished mp4 into the library; on
any failure, cancellation included, those files are removed.
"""

from __future__ import annotations

import errno
import glob
import logging
import os
import re
import select
import subprocess
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import imageio_ffmpeg
from yt_dlp import YoutubeDL
from yt_dlp.extractor.common import InfoExtractor
from yt_dlp.networking.exceptions import HTTPError, TransportError
from yt_dlp.utils import (
    ContentTooShortError,
    DownloadError,
    ExtractorError,
    UnavailableVideoError,
    determine_ext,
)

from aniworld.errors import InsufficientStorage, RemoteError
from downloads.hosters.base import MediaSource

log = logging.getLogger(__name__)

VIDEO_EXTENSIONS = {"mp4", "m4v", "mkv", "webm", "mov", "ts", "flv", "avi"}
# The head of a file tells containers from text: every video container has
# binary headers, an error page or a playlist has none.
SNIFF_BYTES = 1024
# A file counts as complete when ffmpeg can read packets up to this close to
# the duration its header announces.
TRUNCATION_TOLERANCE_SECONDS = 1.0
TRUNCATION_TOLERANCE_RATIO = 0.01
FFMPEG_POLL_SECONDS = 0.2
# yt-dlp's own progress line, which nobody sees: at most one a minute.
YT_DLP_PROGRESS_LINE_SECONDS = 60.0
# ffmpeg's words for packets that arrived damaged, as in HLS segments served cut
# short: the remuxed file would play, with holes, and pass every duration check.
CORRUPTION_MARKERS = ("Packet corrupt", "corrupt input packet", "PES packet size mismatch")


@dataclass(frozen=True)
class Progress:
    percent: float  # 0 to 100
    downloaded_bytes: int
    total_bytes: int | None  # exact, or yt-dlp's estimate for HLS
    speed_bps: float | None
    eta_seconds: int | None


class DownloadCancelled(Exception):
    """``should_stop()`` asked to stop; the partial files are already gone."""


class MediaDownloadError(RemoteError):
    """The media transfer failed.

    Retryable after network failures, 5xx and 429; not after other 4xx answers
    (404/410: the file is gone, 403: the hoster refuses us).
    """

    code = "MEDIA_DOWNLOAD_FAILED"

    def __init__(self, message: str, *, status_code: int | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.status_code = status_code


class MediaVerificationError(MediaDownloadError):
    """What arrived is not a playable video (a web page, empty, cut off).

    Retryable: hosters serve such files when overloaded; a later try or
    another hoster usually delivers the real thing.
    """

    code = "MEDIA_INVALID"
    retryable = True


def download_media(
    source: MediaSource,
    temp_dir: Path,
    basename: str,
    on_progress: Callable[[Progress], None],
    should_stop: Callable[[], bool],
    *,
    retries: int = 10,
    fragment_retries: int = 10,
    socket_timeout: float = 30.0,
    retry_backoff: float = 1.0,
    report_interval: float = 0.25,
) -> Path:
    """Download ``source`` to ``temp_dir/<basename>.mp4`` and return that path.

    ``on_progress`` and ``should_stop`` are called at most every
    ``report_interval`` seconds while bytes flow (plus a final 100 %), and
    ``should_stop`` also while ffmpeg runs. Raises ``DownloadCancelled``,
    ``MediaDownloadError``, ``MediaVerificationError`` or ``InsufficientStorage``.
    """
    if not basename or Path(basename).name != basename:
        raise ValueError(f"basename must be a plain file name, not {basename!r}")
    temp_dir.mkdir(parents=True, exist_ok=True)
    # Leftovers of an earlier attempt must not pass for a finished download.
    cleanup_temp(temp_dir, basename)
    try:
        if should_stop():
            raise DownloadCancelled("the download was stopped before it started")
        reporter = _ProgressReporter(on_progress, should_stop, report_interval)
        raw = _fetch(
            source,
            temp_dir,
            basename,
            reporter,
            retries=retries,
            fragment_retries=fragment_retries,
            socket_timeout=socket_timeout,
            retry_backoff=retry_backoff,
        )
        reporter.finish()
        _reject_text(raw)
        final = temp_dir / f"{basename}.mp4"
        if source.kind == "hls" or not _is_mp4(raw):
            _remux_to_mp4(raw, final, should_stop)
        elif raw != final:
            raw.replace(final)
        verify_media(final, should_stop=should_stop)
        return final
    except BaseException:
        cleanup_temp(temp_dir, basename)
        raise


def verify_media(path: Path, *, should_stop: Callable[[], bool] = lambda: False) -> float:
    """The playable duration of ``path`` in seconds, or ``MediaVerificationError``."""
    if not path.is_file() or path.stat().st_size == 0:
        raise MediaVerificationError(f"the downloaded file is empty ({path.name})")
    _reject_text(path)
    result = _run_ffmpeg(
        ["-i", str(path), "-map", "0", "-c", "copy", "-f", "null", "-", "-progress", "pipe:1"],
        should_stop,
    )
    if result.returncode != 0:
        raise MediaVerificationError(
            f"ffmpeg cannot read {path.name}: {result.last_line or 'unknown error'}"
        )
    if not result.duration or result.duration <= 0:
        raise MediaVerificationError(f"{path.name} has no readable duration")
    tolerance = max(TRUNCATION_TOLERANCE_SECONDS, result.duration * TRUNCATION_TOLERANCE_RATIO)
    if result.read_seconds is None or result.read_seconds < result.duration - tolerance:
        raise MediaVerificationError(
            f"{path.name} is cut off: it announces {result.duration:.1f} s "
            f"but holds {result.read_seconds or 0:.1f} s"
        )
    return result.duration


def cleanup_temp(temp_dir: Path, basename: str) -> None:
    """Remove every file of the download ``basename``: parts, fragments, the mp4."""
    for path in temp_dir.glob(glob.escape(basename) + ".*"):
        if path.is_file():
            path.unlink(missing_ok=True)


class _ProgressReporter:
    """yt-dlp's progress hook, throttled, and the place where a stop request lands."""

    def __init__(
        self,
        on_progress: Callable[[Progress], None],
        should_stop: Callable[[], bool],
        interval: float,
    ):
        self.on_progress = on_progress
        self.should_stop = should_stop
        self.interval = interval
        self.last_report = float("-inf")
        self.last: Progress | None = None

    def __call__(self, status: dict) -> None:
        if status.get("status") != "downloading":
            return
        now = time.monotonic()
        if now - self.last_report < self.interval:
            return
        self.last_report = now
        # Raising inside the hook is how yt-dlp lets a caller abort a transfer.
        if self.should_stop():
            raise DownloadCancelled("the download was stopped")
        downloaded = int(status.get("downloaded_bytes") or 0)
        total = status.get("total_bytes") or status.get("total_bytes_estimate")
        total = int(total) if total else None
        percent = min(100.0, downloaded * 100.0 / total) if total else 0.0
        eta = status.get("eta")
        self.last = Progress(
            percent=round(percent, 1),
            downloaded_bytes=downloaded,
            total_bytes=total,
            speed_bps=status.get("speed"),
            eta_seconds=int(eta) if eta is not None else None,
        )
        self.on_progress(self.last)

    def finish(self) -> None:
        downloaded = self.last.downloaded_bytes if self.last else 0
        self.on_progress(Progress(100.0, downloaded, downloaded or None, None, 0))


class _YtDlpLog:
    """Routes yt-dlp's messages into logging so nothing reaches stdout."""

    def debug(self, message: str) -> None:
        log.debug("yt-dlp: %s", message)

    info = debug

    def warning(self, message: str) -> None:
        log.warning("yt-dlp: %s", message)

    def error(self, message: str) -> None:
        # The same failure is raised as an exception; the caller decides how loud.
        log.info("yt-dlp: %s", message)


class _MediaSourceIE(InfoExtractor):
    """Hands yt-dlp our already-extracted source without any site guessing."""

    IE_NAME = "aniworld:source"
    _VALID_URL = r"https?://.+"

    def __init__(self, source: MediaSource, video_id: str):
        super().__init__()
        self.source = source
        self.video_id = video_id

    def _real_extract(self, url: str) -> dict:
        if self.source.kind == "hls":
            playlist, response = self._download_webpage_handle(url, self.video_id, note=False)
            if not playlist.lstrip("\ufeff \r\n").startswith("#EXTM3U"):
                what = _text_kind(playlist[:SNIFF_BYTES].encode()) or "something else"
                raise MediaVerificationError(
                    f"the hoster served {what} instead of a playlist ({url})"
                )
            # Master playlists yield one format per variant (the best wins),
            # media playlists a single one.
            formats, _ = self._parse_m3u8_formats_and_subtitles(
                playlist,
                response.url,
                ext="ts",
                entry_protocol="m3u8_native",
                m3u8_id="hls",
                video_id=self.video_id,
            )
            if not formats:
                raise MediaVerificationError(f"the playlist at {url} lists no stream")
        else:
            ext = determine_ext(url, "mp4")
            formats = [{"url": url, "ext": ext if ext in VIDEO_EXTENSIONS else "mp4"}]
        return {"id": self.video_id, "title": self.video_id, "formats": formats}


def _fetch(
    source: MediaSource,
    temp_dir: Path,
    basename: str,
    reporter: _ProgressReporter,
    *,
    retries: int,
    fragment_retries: int,
    socket_timeout: float,
    retry_backoff: float,
) -> Path:
    def backoff(n: int) -> float:
        return min(retry_backoff * 2**n, 30.0)

    params = {
        "outtmpl": {"default": str(temp_dir / (basename.replace("%", "%%") + ".%(ext)s"))},
        "http_headers": source.headers,
        "logger": _YtDlpLog(),
        "quiet": True,
        "noprogress": True,
        # Even printing nothing, yt-dlp formats its progress line from a template for
        # every block of every fragment: half the CPU time of an HLS transfer
        # (bench/download_hls.py). Our hook below still sees every status.
        "progress_delta": YT_DLP_PROGRESS_LINE_SECONDS,
        "progress_hooks": [reporter],
        "retries": retries,
        "fragment_retries": fragment_retries,
        "socket_timeout": socket_timeout,
        "retry_sleep_functions": {"http": backoff, "fragment": backoff},
        "continuedl": True,
        # A missing fragment means a broken episode, not one to skip silently.
        "skip_unavailable_fragments": False,
        # We remux with the bundled ffmpeg ourselves; yt-dlp's fix-ups would
        # look for one on PATH.
        "fixup": "never",
        # Prefer a variant with picture and sound: joining separate ones also
        # needs an ffmpeg that yt-dlp may not find.
        "format": "best/bestvideo+bestaudio",
    }
    extractor = _MediaSourceIE(source, basename)
    with YoutubeDL(params, auto_init=False) as ydl:
        ydl.add_info_extractor(extractor)
        try:
            info = ydl.extract_info(source.url, download=True, ie_key=extractor.ie_key())
        except DownloadError as exc:
            raise _translate(exc, source.url) from exc
        except UnavailableVideoError as exc:
            # What yt-dlp raises instead when writing the file fails (the OSError is
            # its context), e.g. HLS fragments appended to a full disk.
            cause = exc.__context__
            if isinstance(cause, OSError) and cause.errno == errno.ENOSPC:
                raise InsufficientStorage(f"the disk is full: {exc}") from exc
            raise
    return Path(info["requested_downloads"][0]["filepath"])


def _translate(exc: DownloadError, url: str) -> Exception:
    """A yt-dlp ``DownloadError`` as one of our typed errors."""
    cause = exc.exc_info[1] if exc.exc_info else None
    while isinstance(cause, ExtractorError) and cause.cause is not None:
        cause = cause.cause
    message = re.sub(r"^ERROR:\s*", "", str(exc)).replace("\r", "").strip()
    if (isinstance(cause, OSError) and cause.errno == errno.ENOSPC) or (
        "No space left on device" in message
    ):
        return InsufficientStorage(f"the disk is full: {message}")
    status = cause.status if isinstance(cause, HTTPError) else None
    if status is None:
        # After exhausting its retries yt-dlp reports the last error as text only.
        match = re.search(r"HTTP Error (\d{3})", message)
        status = int(match.group(1)) if match else None
    if status is not None:
        return MediaDownloadError(
            f"the media server answered HTTP {status} for {url}",
            url=url,
            status_code=status,
            retryable=status == 429 or status >= 500,
        )
    if isinstance(cause, TransportError | ContentTooShortError) or cause is None:
        return MediaDownloadError(message, url=url, retryable=True)
    return MediaDownloadError(message, url=url, retryable=False)


def _is_mp4(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(12)
    return head[4:8] == b"ftyp"


def _reject_text(path: Path) -> None:
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head:
        raise MediaVerificationError(f"the downloaded file is empty ({path.name})")
    what = _text_kind(head)
    if what:
        raise MediaVerificationError(f"the hoster served {what} instead of a video ({path.name})")


def _text_kind(head: bytes) -> str | None:
    """What a file that starts with ``head`` is, when it is text rather than media."""
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8").lstrip("\ufeff \t\r\n").lower()
    except UnicodeDecodeError:
        return None
    if not text:
        return "an empty answer"
    if text.startswith("<") or "<html" in text:
        return "a web page"
    if text.startswith("#extm3u"):
        return "a playlist"
    return "text"


def _remux_to_mp4(raw: Path, final: Path, should_stop: Callable[[], bool]) -> None:
    # Written next to the target under the download's basename, so a failure
    # or a cancel is cleaned up with everything else.
    partial = final.with_suffix(".remux.mp4")
    result = _run_ffmpeg(
        [
            "-y",
            "-i",
            str(raw),
            # Only picture and sound: data streams (ID3 tags in HLS) do not fit mp4.
            "-map",
            "0:v",
            "-map",
            "0:a?",
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
            str(partial),
        ],
        should_stop,
    )
    if result.returncode != 0:
        if result.disk_full:
            raise InsufficientStorage(f"the disk is full while remuxing {raw.name}")
        raise MediaVerificationError(f"ffmpeg cannot remux {raw.name}: {result.last_line}")
    if result.corrupt_packets:
        raise MediaVerificationError(
            f"{raw.name} is damaged: ffmpeg found {result.corrupt_packets} corrupt packets "
            "(the hoster cut the stream short)"
        )
    partial.replace(final)
    if raw != final:
        raw.unlink(missing_ok=True)


@dataclass(frozen=True)
class _FfmpegResult:
    returncode: int
    duration: float | None  # from the input's header
    read_seconds: float | None  # how far ffmpeg got reading packets
    last_line: str
    corrupt_packets: int = 0
    disk_full: bool = False  # a write failed with ENOSPC; the last line just says it failed


def _run_ffmpeg(args: list[str], should_stop: Callable[[], bool]) -> _FfmpegResult:
    """Run ffmpeg, stopping it when asked; its output goes through temp files so
    that a chatty run over a long episode does not grow our memory."""
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats", *args]
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr)
        _wait(process, should_stop)
        duration, last_line, corrupt, disk_full = _scan_log(stderr)
        return _FfmpegResult(
            process.returncode, duration, _read_seconds(stdout), last_line, corrupt, disk_full
        )


def _wait(process: subprocess.Popen, should_stop: Callable[[], bool]) -> None:
    """Wait for ``process`` to exit, asking ``should_stop`` every ``FFMPEG_POLL_SECONDS``.

    On Linux a pidfd wakes us the moment it exits; ``Popen.wait(timeout)`` polls
    with sleeps of up to 50 ms, which added a fifth to a 500 MB file's check.
    """
    pidfd = _pidfd(process.pid)
    try:
        while True:
            if pidfd is None:
                try:
                    process.wait(timeout=FFMPEG_POLL_SECONDS)
                    return
                except subprocess.TimeoutExpired:
                    pass
            else:
                select.select([pidfd], [], [], FFMPEG_POLL_SECONDS)  # readable once it exits
                if process.poll() is not None:
                    return
            if should_stop():
                process.kill()
                process.wait()
                raise DownloadCancelled("the download was stopped")
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _pidfd(pid: int) -> int | None:
    """A file descriptor that becomes readable when ``pid`` exits, where the system has one."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):  # not Linux, or a kernel before 5.3
        return None


def _scan_log(stream: IO[bytes]) -> tuple[float | None, str, int, bool]:
    """The input's duration, the last line, how many corrupt packets ffmpeg met, and
    whether a write failed for want of space."""
    stream.seek(0)
    duration = None
    corrupt = 0
    disk_full = False
    tail: deque[str] = deque(maxlen=1)
    for raw_line in stream:
        line = raw_line.decode("utf-8", "replace").strip()
        if not line:
            continue
        tail.append(line)
        corrupt += any(marker in line for marker in CORRUPTION_MARKERS)
        disk_full = disk_full or "No space left on device" in line
        match = re.search(r"Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)", line)
        if match and duration is None:
            hours, minutes, seconds = match.groups()
            duration = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    return duration, tail[0] if tail else "", corrupt, disk_full


def _read_seconds(stream: IO[bytes]) -> float | None:
    """The last ``out_time_us`` of ffmpeg's ``-progress`` report, in seconds."""
    stream.seek(0)
    seconds = None
    for raw_line in stream:
        key, _, value = raw_line.decode("ascii", "replace").strip().partition("=")
        if key == "out_time_us" and value.isdigit():
            seconds = int(value) / 1_000_000
    return seconds
