"""What a download can end with, besides a file: the media transfer's errors, and the
endings of a queue item's job (stopped, cancelled, taken over, failed)."""

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


# -- how a queue item's job ends, when not with a file ---------------------------


class StopRequested(Exception):
    """The item must go back to pending (queue stopped or the app shutting down)."""


class ItemCancelled(Exception):
    """The owner cancelled the item while it downloaded (the cancel is already recorded)."""


class ItemTakenOver(Exception):
    """The item is no longer this job's claim: someone else decides what becomes of it."""


INTERRUPTIONS = (StopRequested, ItemCancelled, ItemTakenOver)


class ItemFailed(Exception):
    """Every candidate failed; the message says why, for a person to read."""


class ChallengeBlocked(ItemFailed):
    """Links were blocked by checks only a person can pass; ``links`` are theirs to open."""

    def __init__(self, message: str, links: list[dict[str, str]]):
        super().__init__(message)
        self.links = links
