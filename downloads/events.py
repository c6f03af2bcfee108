"""What the downloads room says, typed: the queue item, the download events, the stages.

The wire format is DESIGN.md's ("WebSocket: /ws/connect", and a queue item of the
HTTP API); the envelope ``{type, room, timestamp, data}`` is built by
``aniworld.progress``. The worker reports ``download_started``, ``_completed`` and
``_failed`` with the whole item, ``download_progress`` with the few fields that
change while bytes flow; ``queue_status`` is ``downloads.queue.snapshot``.

A queue item's fields are declared once, by ``QueueItemSerializer`` (names, values
and the OpenAPI schema); ``QueueItemData`` types the same dict, and the tests hold
the two together.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, TypedDict, cast

from downloads.models import DownloadItem
from downloads.serializers import QueueItemSerializer


class Stage(StrEnum):
    """What a download is doing now (a queue item's ``progress.stage``)."""

    RESOLVING = "resolving"
    DOWNLOADING = "downloading"
    RETRYING = "retrying"
    FALLING_BACK = "falling_back"
    REMUXING = "remuxing"
    VERIFYING = "verifying"
    PLACING = "placing"


class ItemProgress(TypedDict):
    """``progress`` of a queue item (``DownloadItem.progress``)."""

    percent: float
    downloaded_bytes: int
    total_bytes: int | None
    speed_bps: float | None
    eta_seconds: float | None
    stage: Stage | Literal[""]  # empty unless the item is downloading
    message: str


class BlockedLink(TypedDict):
    """A link blocked by a check only a person can pass (``error_code`` ``CHALLENGE``)."""

    hoster: str
    language: str
    url: str


class QueueItemData(TypedDict):
    """A queue item, as the API answers and the started/completed/failed events carry it."""

    id: int
    series_key: str
    series_name: str
    season: int
    episode: int
    title: str
    language: str
    status: Literal["pending", "downloading", "completed", "failed", "cancelled"]
    priority: Literal["high", "normal", "low"]
    position: int
    progress: ItemProgress
    hoster: str
    error: str
    error_code: str
    links: list[BlockedLink]
    retry_count: int
    added_at: str | None
    started_at: str | None
    completed_at: str | None
    file_path: str


class DownloadProgressData(TypedDict):
    """``download_progress``: which item, and how far it got (its keys pick the fields)."""

    id: int
    series_key: str
    season: int
    episode: int
    hoster: str
    progress: ItemProgress


class QueueStats(TypedDict):
    pending: int
    downloading: int
    completed: int
    failed: int
    cancelled: int


class QueueStatusData(TypedDict):
    """``queue_status`` and ``GET /api/queue/status``."""

    is_running: bool
    active: QueueItemData | None
    pending: list[QueueItemData]
    completed: list[QueueItemData]  # completed and cancelled, newest first
    failed: list[QueueItemData]
    stats: QueueStats


DownloadEventType = Literal[
    "queue_status",
    "download_started",
    "download_progress",
    "download_completed",
    "download_failed",
]


class QueueStatusEvent(TypedDict):
    type: Literal["queue_status"]
    room: Literal["downloads"]
    timestamp: str
    data: QueueStatusData


class DownloadStartedEvent(TypedDict):
    type: Literal["download_started"]
    room: Literal["downloads"]
    timestamp: str
    data: QueueItemData


class DownloadProgressEvent(TypedDict):
    type: Literal["download_progress"]
    room: Literal["downloads"]
    timestamp: str
    data: DownloadProgressData


class DownloadCompletedEvent(TypedDict):
    type: Literal["download_completed"]
    room: Literal["downloads"]
    timestamp: str
    data: QueueItemData


class DownloadFailedEvent(TypedDict):
    type: Literal["download_failed"]
    room: Literal["downloads"]
    timestamp: str
    data: QueueItemData


DownloadEvent = (
    QueueStatusEvent
    | DownloadStartedEvent
    | DownloadProgressEvent
    | DownloadCompletedEvent
    | DownloadFailedEvent
)

# One instance for every call: its fields are bound (deep-copied) once, not per item.
_item_serializer = QueueItemSerializer()


def item_data(item: DownloadItem) -> QueueItemData:
    """A queue item as DESIGN.md's API and WebSocket messages show it."""
    return cast(QueueItemData, _item_serializer.to_representation(item))


def progress_event(item: DownloadItem) -> DownloadProgressData:
    """The data of ``download_progress``: the item's fields that ``DownloadProgressData`` names."""
    data = item_data(item)
    return cast(
        DownloadProgressData, {key: data[key] for key in DownloadProgressData.__annotations__}
    )
