"""What a media download can end with, besides a file."""

from __future__ import annotations

from aniworld.errors import RemoteError


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
    """What arrived is not a playable video (a web page, a manifest, empty, cut off).

    Retryable: hosters serve such files when overloaded; a later try or
    another hoster usually delivers the real thing.
    """

    code = "MEDIA_INVALID"
    retryable = True
