"""Is it really an image? Checked by Content-Type and magic bytes before a file is kept.

Used by the library's cached covers and the NFO artwork alike: a CDN error page
served as 200 must never end up as poster.jpg.
"""

from __future__ import annotations

from pathlib import Path

IMAGE_CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")
# Some image servers label everything as a download; the magic bytes decide then.
NEUTRAL_CONTENT_TYPES = ("", "application/octet-stream", "binary/octet-stream")


class NotAnImage(ValueError):
    """The bytes are not a complete JPEG, PNG or WebP image."""


def image_format(content: bytes) -> str | None:
    """ "jpeg", "png" or "webp" by magic bytes, None for anything else."""
    if content.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "webp"
    return None


def check_image(content: bytes, content_type: str = "") -> str:
    """The image format of ``content``; raises ``NotAnImage`` with the reason otherwise."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in IMAGE_CONTENT_TYPES + NEUTRAL_CONTENT_TYPES:
        raise NotAnImage(f"the server sent {media_type} instead of an image")
    kind = image_format(content)
    if kind is None:
        raise NotAnImage("the data is not a JPEG, PNG or WebP image")
    # End markers catch a download that stopped half-way.
    if kind == "jpeg" and not content.rstrip(b"\x00").endswith(b"\xff\xd9"):
        raise NotAnImage("the JPEG image is cut off")
    if kind == "png" and b"IEND" not in content[-16:]:
        raise NotAnImage("the PNG image is cut off")
    return kind


def is_good_image_file(path: Path) -> bool:
    try:
        check_image(path.read_bytes())
    except (OSError, NotAnImage):
        return False
    return True
