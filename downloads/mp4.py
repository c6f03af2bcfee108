"""Checking a downloaded mp4 by its structure, without reading its media again.

A plain file from a hoster is written once; reading all of it back through ffmpeg
would cost a third pass. Its boxes tell what matters instead: the top-level
boxes must cover the file exactly (a file cut short has a last box announcing
more bytes than follow), the ``moov`` box must announce a duration and hold a
video track, and no chunk of any track may start beyond the end of the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from downloads.errors import MediaVerificationError

BOX_HEADER = 8
# A moov box indexes every sample; a feature film's is a few MB. More is no video.
MAX_MOOV_BYTES = 64 * 1024 * 1024


def check_mp4(path: Path) -> float:
    """The duration ``path`` announces, in seconds, or ``MediaVerificationError``."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        top = dict(_top_level_boxes(handle, size, path.name))
        if b"moov" not in top or not top.keys() & {b"mdat", b"moof"}:
            raise MediaVerificationError(f"{path.name} lacks its moov or mdat box; it is no video")
        start, end = top[b"moov"]
        if end - start > MAX_MOOV_BYTES:
            raise MediaVerificationError(f"{path.name} has a moov box of {end - start} bytes")
        handle.seek(start)
        moov = handle.read(end - start)
    fragmented = b"moof" in top
    duration = _duration(moov, path.name)
    video = False
    for trak_start, trak_end in _children(moov, 0, len(moov), b"trak"):
        media = _first(moov, trak_start, trak_end, b"mdia")
        handler = _first(moov, *media, b"hdlr") if media else None
        if handler and moov[handler[0] + 8 : handler[0] + 12] == b"vide":
            video = True
        if not fragmented and (last := _last_chunk_offset(moov, trak_start, trak_end)) >= size:
            raise MediaVerificationError(
                f"{path.name} is cut off: a track's data starts at byte {last}, "
                f"beyond its {size} bytes"
            )
    if not video:
        raise MediaVerificationError(f"{path.name} holds no video stream")
    if duration <= 0 and not fragmented:
        raise MediaVerificationError(f"{path.name} has no readable duration")
    return duration


def _top_level_boxes(handle, size: int, name: str) -> Iterator[tuple[bytes, tuple[int, int]]]:
    offset = 0
    while offset < size:
        handle.seek(offset)
        header = handle.read(16)
        if len(header) < BOX_HEADER:
            raise MediaVerificationError(f"{name} is cut off inside a box header")
        box_size, header_size = _box_size(header, size - offset)
        box_type = header[4:8]
        if box_size < header_size:
            raise MediaVerificationError(f"{name} is not a valid mp4 (a box of {box_size} B)")
        if offset + box_size > size:
            raise MediaVerificationError(
                f"{name} is cut off: its {box_type.decode('latin-1')} box announces "
                f"{box_size} bytes but only {size - offset} follow"
            )
        yield box_type, (offset + header_size, offset + box_size)
        offset += box_size


def _box_size(header: bytes, left: int) -> tuple[int, int]:
    """A box's size (its header included) and its header's size."""
    size = int.from_bytes(header[:4], "big")
    if size == 1:
        return (int.from_bytes(header[8:16], "big"), 16) if len(header) >= 16 else (0, 16)
    if size == 0:
        return left, BOX_HEADER
    return size, BOX_HEADER


def _children(data: bytes, start: int, end: int, wanted: bytes) -> Iterator[tuple[int, int]]:
    """Payload spans of the boxes of type ``wanted`` directly inside ``data[start:end]``."""
    offset = start
    while offset + BOX_HEADER <= end:
        size, header = _box_size(data[offset : offset + 16], end - offset)
        if size < header or offset + size > end:
            raise MediaVerificationError("the mp4's moov box is damaged")
        if data[offset + 4 : offset + 8] == wanted:
            yield offset + header, offset + size
        offset += size


def _first(data: bytes, start: int, end: int, wanted: bytes) -> tuple[int, int] | None:
    return next(_children(data, start, end, wanted), None)


def _duration(moov: bytes, name: str) -> float:
    header = _first(moov, 0, len(moov), b"mvhd")
    if header is None:
        raise MediaVerificationError(f"{name} has no movie header")
    start = header[0]
    if moov[start] == 1:  # version 1: 64-bit times
        timescale = int.from_bytes(moov[start + 20 : start + 24], "big")
        duration = int.from_bytes(moov[start + 24 : start + 32], "big")
    else:
        timescale = int.from_bytes(moov[start + 12 : start + 16], "big")
        duration = int.from_bytes(moov[start + 16 : start + 20], "big")
    return duration / timescale if timescale else 0.0


def _last_chunk_offset(moov: bytes, trak_start: int, trak_end: int) -> int:
    """Where the track's last chunk starts (0 when it has none)."""
    path = [b"mdia", b"minf", b"stbl"]
    span: tuple[int, int] | None = (trak_start, trak_end)
    for box in path:
        span = _first(moov, *span, box) if span else None
    if span is None:
        return 0
    for box, width in ((b"stco", 4), (b"co64", 8)):
        table = _first(moov, *span, box)
        if table is None:
            continue
        count = int.from_bytes(moov[table[0] + 4 : table[0] + 8], "big")
        if count == 0:
            return 0
        last = table[0] + 8 + (count - 1) * width
        if last + width > table[1]:
            raise MediaVerificationError("the mp4's chunk table is damaged")
        return int.from_bytes(moov[last : last + width], "big")
    return 0
