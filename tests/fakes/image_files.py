"""Small but real image files for the fakes that serve artwork."""

from __future__ import annotations

import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import imageio_ffmpeg


def solid_jpeg() -> bytes:
    """A real 20x30 JPEG made by ffmpeg, generated once per process."""
    if "jpeg" not in _images:
        target = Path(tempfile.mkdtemp(prefix="fake-tmdb-")) / "red.jpg"
        subprocess.run(
            [
                imageio_ffmpeg.get_ffmpeg_exe(),
                "-loglevel",
                "error",
                "-f",
                "lavfi",
                "-i",
                "color=c=red:s=20x30",
                "-frames:v",
                "1",
                str(target),
            ],
            check=True,
        )
        _images["jpeg"] = target.read_bytes()
    return _images["jpeg"]


def solid_png(width: int = 40, height: int = 16) -> bytes:
    """A real RGB PNG of one colour, written by hand."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x20\x60\xc0" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


_images: dict[str, bytes] = {}
