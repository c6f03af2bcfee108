"""Download one episode's media into an mp4 that plays, in one pass over the bytes.

An HLS stream's segments are fetched a few at a time in parallel and written,
in order, into one ffmpeg that remuxes them into an mp4 as they arrive; the same
ffmpeg counts damaged packets and reports how far the stream reached, which is
the verification. A plain file (Vidoza, Doodstream) is written straight to disk
and checked by its structure without reading it again (``downloads.mp4``).
Everything lives in ``temp_dir`` under ``<basename>.*`` until the caller moves
the finished mp4 into the library; on any failure, cancellation included, those
files are removed. ``temp_dir`` is the folder the caller chose on the library's
file system (the worker's Temp, or the library root under a hidden name when
Temp lies elsewhere: ``aniworld.tempdir.download_location``), so that moving the
mp4 is a rename; segments never touch the disk.

Hoster bytes never get to tell ffmpeg what to open (``downloads.ffmpeg``), and
segments that are web pages or manifests (HLS, DASH) are refused before ffmpeg
sees them.
"""

from __future__ import annotations

import glob
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from aniworld.errors import InsufficientStorage
from downloads import hls
from downloads.errors import DownloadCancelled, MediaDownloadError, MediaVerificationError
from downloads.eta import RateEstimator
from downloads.events import Stage
from downloads.fetch import MediaFetcher
from downloads.ffmpeg import (
    POLL_SECONDS,
    REMUX_OUTPUT,
    FfmpegResult,
    PipedFfmpeg,
    input_file,
    run_ffmpeg,
)
from downloads.hosters.base import MediaSource
from downloads.mp4 import check_mp4

__all__ = [
    "DownloadCancelled",
    "MediaDownloadError",
    "MediaVerificationError",
    "Progress",
    "cleanup_temp",
    "download_media",
    "verify_media",
]

log = logging.getLogger(__name__)

# The head of a file tells containers from text: every video container has
# binary headers, an error page or a manifest has none.
SNIFF_BYTES = 1024
# A stream counts as complete when ffmpeg read packets up to this close to the
# duration announced (by the playlist, or the file's header).
TRUNCATION_TOLERANCE_SECONDS = 1.0
TRUNCATION_TOLERANCE_RATIO = 0.01
MPEGTS_SYNC = 0x47
# Segments fetched ahead of the one ffmpeg reads: enough to hide each request's
# latency, few enough to keep memory small.
SEGMENTS_AHEAD = 8


@dataclass(frozen=True)
class Progress:
    percent: float  # 0 to 100
    downloaded_bytes: int
    total_bytes: int | None  # exact, or an estimate for HLS
    speed_bps: float | None
    eta_seconds: int | None


StageCallback = Callable[[Stage, str], None]  # (stage, message for a person)


def download_media(
    source: MediaSource,
    temp_dir: Path,
    basename: str,
    on_progress: Callable[[Progress], None],
    should_stop: Callable[[], bool],
    *,
    retries: int = 2,
    fragment_retries: int = 5,
    socket_timeout: float = 30.0,
    retry_backoff: float = 1.0,
    report_interval: float = 0.25,
    parallel_segments: int = 4,
    on_stage: StageCallback | None = None,
) -> Path:
    """Download ``source`` to ``temp_dir/<basename>.mp4`` and return that path.

    ``on_progress`` and ``should_stop`` are called at most every
    ``report_interval`` seconds while bytes flow (plus a final 100 %), and
    ``should_stop`` also while ffmpeg runs; ``on_stage`` hears of retries and of
    the remux and check at the end. Raises ``DownloadCancelled``,
    ``MediaDownloadError``, ``MediaVerificationError``, ``BlockedAddressError``
    or ``InsufficientStorage``.
    """
    if not basename or Path(basename).name != basename:
        raise ValueError(f"basename must be a plain file name, not {basename!r}")
    temp_dir.mkdir(parents=True, exist_ok=True)
    # Leftovers of an earlier attempt must not pass for a finished download.
    cleanup_temp(temp_dir, basename)
    stage = on_stage or (lambda stage, message: None)
    try:
        if should_stop():
            raise DownloadCancelled("the download was stopped before it started")
        meter = ProgressMeter(on_progress, should_stop, report_interval)
        with MediaFetcher(
            source.headers,
            socket_timeout=socket_timeout,
            retry_backoff=retry_backoff,
            should_stop=should_stop,
            on_retry=lambda message: stage(Stage.RETRYING, message),
            # The segments' connections, and one for a playlist, a key or an init section.
            connections=max(1, parallel_segments) + 1,
        ) as fetcher:
            if source.kind == "hls":
                download = _HlsDownload(
                    fetcher, meter, stage, should_stop, fragment_retries, parallel_segments
                )
                return download.run(source.url, retries, temp_dir, basename)
            return _download_file(
                fetcher, source.url, meter, stage, should_stop, retries, temp_dir, basename
            )
    except BaseException:
        cleanup_temp(temp_dir, basename)
        raise


def verify_media(path: Path, *, should_stop: Callable[[], bool] = lambda: False) -> float:
    """The playable duration of ``path`` in seconds, reading every packet, or
    ``MediaVerificationError``."""
    if not path.is_file() or path.stat().st_size == 0:
        raise MediaVerificationError(f"the downloaded file is empty ({path.name})")
    _reject_text(path)
    result = run_ffmpeg(
        [*input_file(path), "-map", "0", "-c", "copy", "-f", "null", "-", "-progress", "pipe:1"],
        should_stop,
    )
    if result.returncode != 0:
        raise MediaVerificationError(
            f"ffmpeg cannot read {path.name}: {result.last_line or 'unknown error'}"
        )
    if not result.duration or result.duration <= 0:
        raise MediaVerificationError(f"{path.name} has no readable duration")
    _check_length(path.name, result.duration, result.read_seconds)
    return result.duration


def cleanup_temp(temp_dir: Path, basename: str) -> None:
    """Remove every file of the download ``basename``: parts, the remux, the mp4."""
    for path in temp_dir.glob(glob.escape(basename) + ".*"):
        if path.is_file():
            path.unlink(missing_ok=True)


class ProgressMeter:
    """Throttled progress with an honest speed and ETA; where a stop request lands."""

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
        self.downloaded = 0
        self.rate = RateEstimator()
        # An estimated total (HLS) can grow as segments report their sizes; the bar
        # the user watches never moves back.
        self.percent_shown = 0.0

    def update(self, downloaded: int, total: int | None, percent: float | None = None) -> None:
        self.downloaded = downloaded
        now = time.monotonic()
        if now - self.last_report < self.interval:
            return
        self.last_report = now
        # Sampled at each report (not each 64 kB read): plenty for a window of seconds.
        self.rate.add(downloaded)
        if self.should_stop():
            raise DownloadCancelled("the download was stopped")
        if percent is None:
            percent = downloaded * 100.0 / total if total else 0.0
        self.percent_shown = max(self.percent_shown, round(min(100.0, percent), 1))
        self.on_progress(
            Progress(
                percent=self.percent_shown,
                downloaded_bytes=downloaded,
                total_bytes=total,
                speed_bps=self.rate.speed(),
                eta_seconds=self.rate.eta(total),
            )
        )

    def finish(self) -> None:
        downloaded = self.downloaded
        self.on_progress(Progress(100.0, downloaded, downloaded or None, None, 0))


# -- a plain file --------------------------------------------------------------


def _download_file(
    fetcher: MediaFetcher,
    url: str,
    meter: ProgressMeter,
    stage: StageCallback,
    should_stop: Callable[[], bool],
    retries: int,
    temp_dir: Path,
    basename: str,
) -> Path:
    part = temp_dir / f"{basename}.part"
    with open(part, "wb", buffering=0) as handle:
        fetcher.to_file(url, handle, meter.update, retries=retries)
    meter.finish()
    _reject_text(part)
    final = temp_dir / f"{basename}.mp4"
    if _is_mp4(part):
        stage(Stage.VERIFYING, "checking the file")
        check_mp4(part)
        part.replace(final)
    else:
        stage(Stage.REMUXING, "remuxing into an mp4")
        _remux_file(part, final, basename, should_stop)
        part.unlink(missing_ok=True)
    return final


def _is_mp4(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(12)
    return head[4:8] == b"ftyp"


def _remux_file(raw: Path, final: Path, basename: str, should_stop: Callable[[], bool]) -> None:
    partial = final.with_suffix(".remux.mp4")
    result = run_ffmpeg(
        ["-y", *input_file(raw), *REMUX_OUTPUT, "-progress", "pipe:1", str(partial)], should_stop
    )
    _check_remux(result, basename)
    if result.duration:
        _check_length(raw.name, result.duration, result.read_seconds)
    partial.replace(final)


# -- an HLS stream -------------------------------------------------------------


class _HlsDownload:
    """Playlists → segments fetched ahead in parallel → one ffmpeg fed in order."""

    def __init__(
        self,
        fetcher: MediaFetcher,
        meter: ProgressMeter,
        stage: StageCallback,
        should_stop: Callable[[], bool],
        fragment_retries: int,
        parallel: int,
    ):
        self.fetcher = fetcher
        self.meter = meter
        self.stage = stage
        self.should_stop = should_stop
        self.fragment_retries = fragment_retries
        self.parallel = max(1, parallel)
        self.keys: dict[str, bytes] = {}
        # Written by the segment threads, read by the one that reports.
        self.lock = threading.Lock()
        self.received = 0
        self.lengths: dict[int, int] = {}  # by sequence: announced, then received

    def run(self, url: str, retries: int, temp_dir: Path, basename: str) -> Path:
        playlist = self.playlist(url, retries)
        partial = temp_dir / f"{basename}.remux.mp4"
        with ThreadPoolExecutor(self.parallel, thread_name_prefix="hls-segment") as pool:
            pending: deque[tuple[hls.Segment, Future[bytes | memoryview]]] = deque()
            segments = iter(playlist.segments)

            def fetch_ahead() -> None:
                while len(pending) < SEGMENTS_AHEAD and (segment := next(segments, None)):
                    pending.append((segment, pool.submit(self.segment, segment)))

            ffmpeg: PipedFfmpeg | None = None
            try:
                fetch_ahead()
                # Started while the first segments arrive, with the format the playlist
                # implies (an init section: fragmented mp4), checked on the first bytes.
                input_format = "mov" if playlist.init_section else "mpegts"
                ffmpeg = PipedFfmpeg(input_format, partial)
                # The init section, fed before the first segment; None once that went.
                head: bytes | memoryview | None = b""
                if playlist.init_section:
                    head = self.fetcher.content(
                        playlist.init_section,
                        retries=self.fragment_retries,
                        what="the init section",
                        byte_range=_range(playlist.init_range),
                        on_bytes=self.received_bytes,
                    )
                while pending:
                    segment, future = pending[0]
                    try:
                        data = future.result(timeout=POLL_SECONDS)
                    except TimeoutError:
                        self.report(len(playlist.segments))  # and notice a stop
                        continue
                    pending.popleft()
                    fetch_ahead()
                    if head is not None:
                        start = bytes(head) + data[:SNIFF_BYTES]
                        if _stream_format(start, segment.uri) != input_format:
                            # Fragmented mp4 without an init section: self-initialising.
                            ffmpeg.kill()
                            input_format = "mov"
                            ffmpeg = PipedFfmpeg(input_format, partial)
                        ffmpeg.feed(head)
                        self.fetcher.recycle(head)
                        head = None
                    ffmpeg.feed(data)
                    self.fetcher.recycle(data)
                    self.report(len(playlist.segments))
                self.meter.finish()
                self.stage(Stage.REMUXING, "finishing the mp4")
                result = ffmpeg.finish(self.should_stop)
            except BaseException:
                self.fetcher.abort()
                for _, future in pending:
                    future.cancel()
                if ffmpeg is not None:
                    ffmpeg.kill()
                raise
        _check_remux(result, basename)
        _check_length("the stream", playlist.duration, result.read_seconds)
        final = temp_dir / f"{basename}.mp4"
        partial.replace(final)
        return final

    def report(self, count: int) -> None:
        """Progress by the bytes received so far, partial segments included; the
        total is the segments' mean size so far times their number."""
        with self.lock:
            received = self.received
            lengths = list(self.lengths.values())
        total = None
        if lengths:
            total = max(received, int(sum(lengths) / len(lengths) * count))
        self.meter.update(received, total)

    def received_bytes(self, count: int) -> None:
        with self.lock:
            self.received += count

    def known_length(self, sequence: int, length: int) -> None:
        with self.lock:
            self.lengths[sequence] = length

    def playlist(self, url: str, retries: int) -> hls.MediaPlaylist:
        text, base = self.fetcher.text(url, retries=retries)
        if not hls.is_playlist(text):
            what = _text_kind(text[:SNIFF_BYTES].encode()) or "something else"
            raise MediaVerificationError(f"the hoster served {what} instead of a playlist ({url})")
        variant = hls.best_variant(text, base)
        if variant:
            text, base = self.fetcher.text(variant, retries=retries)
            if not hls.is_playlist(text) or hls.best_variant(text, base):
                raise MediaVerificationError(f"the variant {variant} is not a media playlist")
        return hls.parse_media_playlist(text, base)

    def segment(self, segment: hls.Segment) -> bytes | memoryview:
        """One segment's bytes, decrypted; refused when it is no media at all."""
        byte_range = _range(segment.byte_range)
        data = self.fetcher.content(
            segment.uri,
            retries=self.fragment_retries,
            what=f"segment {segment.sequence}",
            byte_range=byte_range,
            on_bytes=self.received_bytes,
            on_length=lambda length: self.known_length(segment.sequence, length),
        )
        self.known_length(segment.sequence, len(data))
        if segment.key.method == "AES-128":
            plain = self.decrypt(segment, data)
            self.fetcher.recycle(data)
            data = plain
        what = _text_kind(bytes(data[:SNIFF_BYTES]))
        if what:
            raise MediaVerificationError(
                f"the hoster served {what} instead of a video segment ({segment.uri})"
            )
        return data

    def decrypt(self, segment: hls.Segment, data: memoryview) -> bytes:
        uri = segment.key.uri or ""
        if uri not in self.keys:
            key = self.fetcher.content(uri, retries=self.fragment_retries, what="the key")
            if len(key) != 16:
                raise MediaVerificationError(f"the stream's key at {uri} is not 16 bytes")
            self.keys[uri] = bytes(key)
        iv = segment.key.iv or segment.sequence.to_bytes(16, "big")
        decryptor = Cipher(algorithms.AES(self.keys[uri]), modes.CBC(iv)).decryptor()
        unpadder = padding.PKCS7(128).unpadder()
        try:
            plain = decryptor.update(data) + decryptor.finalize()
            return unpadder.update(plain) + unpadder.finalize()
        except ValueError as exc:
            raise MediaVerificationError(f"a segment does not decrypt ({segment.uri})") from exc


def _range(byte_range: hls.ByteRange | None) -> tuple[int, int] | None:
    return (byte_range.offset, byte_range.length) if byte_range else None


def _stream_format(data: bytes, uri: str) -> str:
    """The demuxer for a stream that starts with ``data``: MPEG-TS, or fragmented mp4."""
    if data[4:8] in (b"ftyp", b"styp", b"moof", b"moov"):
        return "mov"
    if MPEGTS_SYNC in data[:SNIFF_BYTES]:
        # Some hosters put an image header before the transport stream;
        # the demuxer finds the sync bytes after it.
        return "mpegts"
    raise MediaVerificationError(f"the first segment is neither MPEG-TS nor mp4 ({uri})")


# -- checks and ffmpeg -----------------------------------------------------------


def _check_remux(result: FfmpegResult, name: str) -> None:
    if result.returncode != 0:
        if result.disk_full:
            raise InsufficientStorage(
                f"the disk is full while remuxing {name} (No space left on device)"
            )
        raise MediaVerificationError(f"ffmpeg cannot remux {name}: {result.last_line}")
    if result.corrupt_packets:
        raise MediaVerificationError(
            f"{name} is damaged: ffmpeg found {result.corrupt_packets} corrupt packets "
            "(the hoster cut the stream short)"
        )


def _check_length(name: str, duration: float, read_seconds: float | None) -> None:
    tolerance = max(TRUNCATION_TOLERANCE_SECONDS, duration * TRUNCATION_TOLERANCE_RATIO)
    if read_seconds is None or read_seconds < duration - tolerance:
        raise MediaVerificationError(
            f"{name} is cut off: it announces {duration:.1f} s but holds {read_seconds or 0:.1f} s"
        )


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
    if "<mpd" in text:
        return "a DASH manifest"
    if text.startswith("<") or "<html" in text:
        return "a web page"
    if text.startswith("#extm3u"):
        return "a playlist"
    return "text"
