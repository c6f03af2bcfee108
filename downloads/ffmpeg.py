"""Running the bundled ffmpeg on what hosters send, and reading what it reports.

ffmpeg reads only what we name: a pipe we feed, or one file, with only the
container formats a video comes in (``-protocol_whitelist``, ``-format_whitelist``);
a manifest (HLS, DASH) among hoster bytes cannot make it open anything else. Its
log goes through temp files, so a chatty run over a long episode does not grow
our memory, and is read afterwards for the input's duration, how far the packets
reached, damaged packets and a full disk.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import select
import subprocess
import tempfile
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import imageio_ffmpeg

from downloads.errors import DownloadCancelled

POLL_SECONDS = 0.2
# ffmpeg's words for packets that arrived damaged, as in HLS segments served cut
# short: the remuxed file would play, with holes, and pass every duration check.
CORRUPTION_MARKERS = ("Packet corrupt", "corrupt input packet", "PES packet size mismatch")
# The demuxers hoster bytes may use (the mov demuxer also reads mp4; its external
# references, "drefs", are off by default).
VIDEO_FORMATS = "mpegts,mov,matroska,flv,avi"
PIPE_BYTES = 1024 * 1024


class PipedFfmpeg:
    """One ffmpeg reading a stream from its stdin and writing the mp4."""

    def __init__(self, input_format: str, output: Path):
        self.output = output
        # Closed by finish() or kill(), which every run ends with.
        self.stdout = tempfile.TemporaryFile()  # noqa: SIM115
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115
        command = [
            *_base_command(),
            # Damaged packets are warnings, failures errors: the log's last line names the
            # problem. The info lines (a pipe has no duration to read) only cost time.
            "-v", "warning",
            "-y",
            "-protocol_whitelist", "pipe",
            "-format_whitelist", input_format,
            "-f", input_format,
            "-i", "pipe:0",
            *REMUX_OUTPUT,
            "-progress", "pipe:1",
            str(output),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=self.stdout, stderr=self.stderr
        )
        _widen_pipe(self.process.stdin)

    def feed(self, data: bytes | memoryview) -> None:
        assert self.process.stdin is not None
        # ffmpeg stopped early (a full disk, a stream it cannot read): finish() says why.
        with contextlib.suppress(BrokenPipeError):
            self.process.stdin.write(data)

    def finish(self, should_stop: Callable[[], bool]) -> FfmpegResult:
        assert self.process.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self.process.stdin.close()
        try:
            _wait(self.process, should_stop)
            duration, last_line, corrupt, disk_full = _scan_log(self.stderr)
            return FfmpegResult(
                self.process.returncode,
                duration,
                _read_seconds(self.stdout),
                last_line,
                corrupt,
                disk_full,
            )
        finally:
            self.stdout.close()
            self.stderr.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.stdout, self.stderr):
            try:
                stream.close()
            except (OSError, AttributeError):
                continue


def _widen_pipe(pipe: IO[bytes] | None) -> None:
    """A 1 MB pipe instead of 64 kB: a segment goes to ffmpeg in a few writes
    instead of dozens of wake-ups of both processes (Linux only; elsewhere as is)."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if pipe is None or set_size is None:
        return
    with contextlib.suppress(OSError):  # above /proc/sys/fs/pipe-max-size
        fcntl.fcntl(pipe.fileno(), set_size, PIPE_BYTES)


# Only picture and sound: data streams (ID3 tags in HLS) do not fit mp4.
REMUX_OUTPUT = ("-map", "0:v", "-map", "0:a?", "-c", "copy", "-f", "mp4")


def _base_command() -> list[str]:
    return [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-nostats"]


def input_file(path: Path) -> list[str]:
    """ffmpeg options to read ``path`` and nothing else it might name."""
    return ["-protocol_whitelist", "file", "-format_whitelist", VIDEO_FORMATS, "-i", str(path)]


@dataclass(frozen=True)
class FfmpegResult:
    returncode: int
    duration: float | None  # from the input's header
    read_seconds: float | None  # how far ffmpeg got reading packets
    last_line: str
    corrupt_packets: int = 0
    disk_full: bool = False  # a write failed with ENOSPC; the last line just says it failed


def run_ffmpeg(args: list[str], should_stop: Callable[[], bool]) -> FfmpegResult:
    """Run ffmpeg, stopping it when asked; its output goes through temp files so
    that a chatty run over a long episode does not grow our memory."""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen([*_base_command(), *args], stdout=stdout, stderr=stderr)
        _wait(process, should_stop)
        duration, last_line, corrupt, disk_full = _scan_log(stderr)
        return FfmpegResult(
            process.returncode, duration, _read_seconds(stdout), last_line, corrupt, disk_full
        )


def _wait(process: subprocess.Popen, should_stop: Callable[[], bool]) -> None:
    """Wait for ``process`` to exit, asking ``should_stop`` every ``POLL_SECONDS``.

    On Linux a pidfd wakes us the moment it exits; ``Popen.wait(timeout)`` polls
    with sleeps of up to 50 ms, which added a fifth to a 500 MB file's check.
    """
    pidfd = _pidfd(process.pid)
    try:
        while True:
            if pidfd is None:
                try:
                    process.wait(timeout=POLL_SECONDS)
                    return
                except subprocess.TimeoutExpired:
                    pass
            else:
                select.select([pidfd], [], [], POLL_SECONDS)  # readable once it exits
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
