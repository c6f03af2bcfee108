"""Reading HLS playlists: which variant to take, which segments to fetch in order.

Only what hosters serve for video on demand: a master playlist naming variants
(``#EXT-X-STREAM-INF``), a media playlist of segments with their durations
(``#EXTINF``), optionally AES-128 encrypted (``#EXT-X-KEY``), optionally with an
init section (``#EXT-X-MAP``) and byte ranges (``#EXT-X-BYTERANGE``). Every URI
is made absolute against the playlist's own URL; whether it may be fetched is
the fetcher's decision (``downloads.fetch``), not the parser's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from downloads.errors import MediaVerificationError

ATTRIBUTE = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^",]*)')


@dataclass(frozen=True)
class Key:
    method: str  # "NONE" or "AES-128"
    uri: str | None = None
    iv: bytes | None = None  # None: the segment's media sequence number


@dataclass(frozen=True)
class ByteRange:
    length: int
    offset: int


@dataclass(frozen=True)
class Segment:
    uri: str
    duration: float
    sequence: int
    key: Key
    byte_range: ByteRange | None = None


@dataclass(frozen=True)
class MediaPlaylist:
    segments: list[Segment]
    init_section: str | None  # URI of the EXT-X-MAP init segment (fragmented mp4)
    init_range: ByteRange | None

    @property
    def duration(self) -> float:
        return sum(segment.duration for segment in self.segments)


def is_playlist(text: str) -> bool:
    return text.lstrip("\ufeff \r\n").startswith("#EXTM3U")


def attributes(line: str) -> dict[str, str]:
    _, _, rest = line.partition(":")
    return {name: value.strip('"') for name, value in ATTRIBUTE.findall(rest)}


def best_variant(text: str, base_url: str) -> str | None:
    """The URI of the master playlist's variant with the highest bandwidth, or
    None when ``text`` is a media playlist already."""
    best: tuple[int, str] | None = None
    lines = [line.strip() for line in text.splitlines()]
    for index, line in enumerate(lines):
        if not line.startswith("#EXT-X-STREAM-INF"):
            continue
        uri = next(
            (later for later in lines[index + 1 :] if later and not later.startswith("#")), ""
        )
        if not uri:
            continue
        bandwidth = attributes(line).get("BANDWIDTH", "0")
        rank = int(bandwidth) if bandwidth.isdigit() else 0
        if best is None or rank > best[0]:
            best = (rank, urljoin(base_url, uri))
    return best[1] if best else None


def parse_media_playlist(text: str, base_url: str) -> MediaPlaylist:
    """The segments of a media playlist, in order; ``MediaVerificationError`` for
    a live playlist with no end or one that lists nothing."""
    segments: list[Segment] = []
    key = Key("NONE")
    sequence = 0
    duration: float | None = None
    byte_range: ByteRange | None = None
    next_offset = 0
    init_section: str | None = None
    init_range: ByteRange | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#EXT-X-MEDIA-SEQUENCE:"):
            sequence = int(line.partition(":")[2] or 0)
        elif line.startswith("#EXT-X-KEY"):
            key = _key(attributes(line), base_url)
        elif line.startswith("#EXT-X-MAP"):
            values = attributes(line)
            init_section = urljoin(base_url, values.get("URI", ""))
            if "BYTERANGE" in values:
                init_range = _byte_range(values["BYTERANGE"], 0)
        elif line.startswith("#EXTINF:"):
            value = line.partition(":")[2].split(",", 1)[0]
            try:
                duration = float(value)
            except ValueError as exc:
                raise MediaVerificationError(
                    f"the playlist has a bad #EXTINF: {line[:80]}"
                ) from exc
        elif line.startswith("#EXT-X-BYTERANGE:"):
            byte_range = _byte_range(line.partition(":")[2], next_offset)
        elif not line.startswith("#"):
            segments.append(
                Segment(urljoin(base_url, line), duration or 0.0, sequence, key, byte_range)
            )
            if byte_range:
                next_offset = byte_range.offset + byte_range.length
            sequence += 1
            duration = None
            byte_range = None
    if not segments:
        raise MediaVerificationError(f"the playlist at {base_url} lists no segment")
    if "#EXT-X-ENDLIST" not in text and "#EXT-X-PLAYLIST-TYPE:VOD" not in text:
        # A live playlist grows while we read it; hosters serve episodes as VOD.
        raise MediaVerificationError(f"the playlist at {base_url} is a live stream, not an episode")
    return MediaPlaylist(segments, init_section, init_range)


def _key(values: dict[str, str], base_url: str) -> Key:
    method = values.get("METHOD", "NONE")
    if method == "NONE":
        return Key("NONE")
    if method != "AES-128" or "URI" not in values:
        raise MediaVerificationError(f"the stream is encrypted with {method}, which we cannot read")
    iv = values.get("IV")
    return Key(
        "AES-128",
        urljoin(base_url, values["URI"]),
        bytes.fromhex(iv[2:].rjust(32, "0")) if iv and iv.lower().startswith("0x") else None,
    )


def _byte_range(value: str, default_offset: int) -> ByteRange:
    length, _, offset = value.partition("@")
    return ByteRange(int(length), int(offset) if offset else default_offset)
