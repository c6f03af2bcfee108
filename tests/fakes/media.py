"""A few seconds of real video for download tests, made with the bundled ffmpeg.

``make_media_set(directory)`` writes, once per directory:

- ``video.mp4``: 3 s of test picture and a sine tone (H.264/AAC, moov first);
- ``truncated.mp4``: the first 60 % of it, as a hoster that cuts files serves;
- ``hls/index.m3u8`` + ``hls/seg*.ts``: the same video as an HLS media
  playlist with 1 s segments, and ``hls/master.m3u8`` pointing at it.

Tests share one set per session (see the ``media_set`` fixtures).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import imageio_ffmpeg

DURATION_SECONDS = 3
MASTER_PLAYLIST = """#EXTM3U
#EXT-X-VERSION:3
#EXT-X-STREAM-INF:BANDWIDTH=200000,RESOLUTION=160x120
index.m3u8
"""


@dataclass(frozen=True)
class MediaSet:
    directory: Path
    duration: float = DURATION_SECONDS

    @property
    def mp4(self) -> Path:
        return self.directory / "video.mp4"

    @property
    def truncated_mp4(self) -> Path:
        return self.directory / "truncated.mp4"

    @property
    def hls_dir(self) -> Path:
        return self.directory / "hls"


def ffmpeg(*args: str) -> None:
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-v", "error", "-y", *args],
        check=True,
        capture_output=True,
    )


@cache
def video_encoder() -> tuple[str, ...]:
    """H.264 when the bundled ffmpeg has x264 (it usually does), else MPEG-4 part 2."""
    encoders = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-encoders"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    if " libx264 " in encoders:
        return ("-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p")
    return ("-c:v", "mpeg4", "-q:v", "5")


def make_media_set(directory: Path) -> MediaSet:
    media = MediaSet(directory)
    if media.mp4.exists() and (media.hls_dir / "master.m3u8").exists():
        return media
    directory.mkdir(parents=True, exist_ok=True)
    seconds = str(DURATION_SECONDS)
    ffmpeg(
        "-f", "lavfi", "-i", f"testsrc=duration={seconds}:size=160x120:rate=10",
        "-f", "lavfi", "-i", f"sine=duration={seconds}:frequency=440",
        *video_encoder(),
        # A key frame every second, so HLS can cut 1 s segments without re-encoding.
        "-g", "10",
        "-c:a", "aac", "-shortest", "-movflags", "+faststart",
        str(media.mp4),
    )  # fmt: skip
    data = media.mp4.read_bytes()
    media.truncated_mp4.write_bytes(data[: len(data) * 6 // 10])
    media.hls_dir.mkdir(exist_ok=True)
    ffmpeg(
        "-i", str(media.mp4), "-c", "copy",
        "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod",
        "-hls_segment_filename", str(media.hls_dir / "seg%03d.ts"),
        str(media.hls_dir / "index.m3u8"),
    )  # fmt: skip
    (media.hls_dir / "master.m3u8").write_text(MASTER_PLAYLIST)
    return media
