"""The download queue: adding, ordering, state changes, and the worker's claim.

Every status change goes through ``transition``, a conditional UPDATE that only
succeeds from an allowed previous status (see ``DownloadItem``'s docstring), so
two processes can never both move the same item.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django_q.tasks import async_task

from aniworld.errors import Conflict, NotFound, ValidationFailed
from aniworld.languages import Language
from aniworld.progress import publish
from downloads.events import QueueStatusData, item_data
from downloads.models import (
    ACTIVE_STATUSES,
    TRANSITIONS,
    DownloadItem,
    Priority,
    QueueState,
    Status,
)
from library.languages import is_upgrade, preferred_mask
from library.models import Episode, Series

log = logging.getLogger(__name__)

# Serialises claims on PostgreSQL (SQLite's IMMEDIATE transactions already do).
CLAIM_LOCK_ID = 0x616E69  # "ani"


class IllegalTransition(Conflict):
    code = "ILLEGAL_TRANSITION"


def transition(item_id: int, to: str, *, claim: datetime | None = None, **fields: Any) -> bool:
    """Move an item to status ``to`` from any status allowed to reach it; True when it moved.

    ``claim`` (the ``started_at`` a worker's claim set) moves the item only while it is
    still downloading under that claim: a worker never ends an item it no longer owns.
    """
    sources = [status for status, targets in TRANSITIONS.items() if to in targets]
    items = DownloadItem.objects.filter(id=item_id, status__in=sources)
    if claim is not None:
        items = items.filter(status=Status.DOWNLOADING, started_at=claim)
    return items.update(status=to, **fields) == 1


def claimed(item: DownloadItem):
    """The item, as long as it is still downloading under the claim ``item`` was read with."""
    return DownloadItem.objects.filter(
        id=item.id, status=Status.DOWNLOADING, started_at=item.started_at
    )


def require_transition(item: DownloadItem, to: str, **fields: Any) -> None:
    if not transition(item.id, to, **fields):
        item.refresh_from_db(fields=["status"])
        raise IllegalTransition(
            f"A {item.status} item cannot become {to}.",
            details={"id": item.id, "status": item.status, "to": to},
        )


@dataclass
class AddResult:
    added: list[DownloadItem] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)


def add_episodes(
    series: Series,
    codes: Iterable[tuple[int, int]],
    *,
    priority: int = Priority.NORMAL,
    language: str = "",
    wake: bool = True,
) -> AddResult:
    """Queue episodes of a series; skips (with a reason) what cannot or need not be queued.

    ``wake=False`` leaves the worker asleep (``manage.py download`` works the queue itself).
    """
    chosen = Language.find(language)
    if language and chosen is None:
        raise ValidationFailed(
            f"Unknown language {language!r}.",
            details={"language": [f"one of {', '.join(Language)}"]},
        )
    wanted = chosen.bit if chosen else preferred_mask()
    episodes = {(e.season, e.number): e for e in series.episodes.all()}
    queued = set(
        DownloadItem.objects.filter(episode__series=series, status__in=ACTIVE_STATUSES).values_list(
            "episode_id", flat=True
        )
    )
    result = AddResult()
    position = _next_position()
    for season, number in dict.fromkeys(codes):
        code = {"season": season, "episode": number}
        episode = episodes.get((season, number))
        if episode is None:
            result.skipped.append({**code, "reason": "no such episode"})
        elif episode.id in queued:
            result.skipped.append({**code, "reason": "already queued"})
        elif not episode.language_mask & wanted:
            reason = (
                "not released yet"
                if not episode.language_mask
                else "not offered in a wanted language"
            )
            result.skipped.append({**code, "reason": reason})
        elif episode.is_downloaded and not _is_upgrade(episode, language):
            result.skipped.append({**code, "reason": "already downloaded"})
        else:
            try:
                with transaction.atomic():
                    item = DownloadItem.objects.create(
                        episode=episode,
                        priority=priority,
                        position=position,
                        language=language,
                        upgrade=episode.is_downloaded,
                    )
            except IntegrityError:  # queued by someone else a moment ago
                result.skipped.append({**code, "reason": "already queued"})
                continue
            position += 1
            result.added.append(item)
    if result.added:
        if wake:
            transaction.on_commit(wake_worker)
        transaction.on_commit(publish_status)
    return result


def _is_upgrade(episode: Episode, language: str) -> bool:
    if language:
        return language != episode.downloaded_language
    return is_upgrade(episode.downloaded_language, episode.languages)


def missing_codes(series: Series, season: int | None = None) -> list[tuple[int, int]]:
    """(season, episode) of the series' missing episodes; of one season when given."""
    episodes = Episode.objects.missing(preferred_mask()).filter(series=series)
    if season is not None:
        episodes = episodes.filter(season=season)
    return list(episodes.order_by("season", "number").values_list("season", "number"))


def _next_position() -> int:
    return (DownloadItem.objects.aggregate(top=Max("position"))["top"] or 0) + 1


def wake_worker() -> None:
    """Ask the worker cluster to process the queue (a duplicate wake-up is harmless)."""
    if QueueState.get().is_running:
        async_task("downloads.tasks.process_queue", task_name="process-queue")


def claim_next(series_id: int | None = None) -> DownloadItem | None:
    """Claim the next pending item (of that series only, given ``series_id``), unless the
    queue is stopped or an item is downloading."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CLAIM_LOCK_ID])
        if not QueueState.get().is_running:
            return None
        if DownloadItem.objects.filter(status=Status.DOWNLOADING).exists():
            return None
        pending = DownloadItem.objects.filter(status=Status.PENDING)
        if series_id is not None:
            pending = pending.filter(episode__series_id=series_id)
        candidate = pending.order_by("priority", "position", "id").first()
        if candidate is None:
            return None
        if not transition(
            candidate.id,
            Status.DOWNLOADING,
            started_at=timezone.now(),
            error="",
            error_code="",
            percent=0,
            downloaded_bytes=0,
            total_bytes=None,
            speed_bps=None,
            eta_seconds=None,
        ):
            return None
    return DownloadItem.objects.select_related("episode__series").get(id=candidate.id)


def get_item(item_id: int) -> DownloadItem:
    try:
        return DownloadItem.objects.select_related("episode__series").get(id=item_id)
    except DownloadItem.DoesNotExist:
        raise NotFound(f"No queue item {item_id}.", details={"id": item_id}) from None


def start() -> None:
    state = QueueState.get()
    state.is_running = True
    state.save(update_fields=["is_running", "updated_at"])
    transaction.on_commit(wake_worker)
    transaction.on_commit(publish_status)


def stop() -> None:
    """Stop the queue; the worker puts the active item back to pending and cleans up."""
    state = QueueState.get()
    state.is_running = False
    state.save(update_fields=["is_running", "updated_at"])
    transaction.on_commit(publish_status)


def remove(item: DownloadItem) -> str:
    """Cancel a pending or active item, or delete a finished one; returns what happened."""
    if item.status in (Status.COMPLETED, Status.CANCELLED):
        item.delete()
        result = "removed"
    else:
        require_transition(item, Status.CANCELLED, completed_at=timezone.now())
        result = "cancelled"
    transaction.on_commit(publish_status)
    return result


def retry(item: DownloadItem, **fields: Any) -> None:
    """Queue a failed item again; ``fields`` are stored with it (a pasted link)."""
    if item.status != Status.FAILED:
        raise IllegalTransition(
            f"Only failed items can be retried; this one is {item.status}.",
            details={"id": item.id, "status": item.status},
        )
    if DownloadItem.objects.filter(episode=item.episode, status__in=ACTIVE_STATUSES).exists():
        raise Conflict("This episode is already queued again.", code="ALREADY_QUEUED")
    require_transition(
        item,
        Status.PENDING,
        error="",
        error_code="",
        retry_count=item.retry_count + 1,
        position=_next_position(),
        **fields,
    )
    transaction.on_commit(wake_worker)
    transaction.on_commit(publish_status)


def retry_with_link(item: DownloadItem, url: str, hoster: str = "") -> None:
    """Queue a failed item again with the hoster page the owner reached; the worker
    tries that page first (``hoster`` empty: recognised from the page)."""
    if item.status in ACTIVE_STATUSES:
        raise Conflict(
            f"Item {item.id} is {item.status}; a link can be given once it has failed.",
            code="ITEM_ACTIVE",
            details={"id": item.id, "status": item.status},
        )
    retry(item, user_link_url=url, user_link_hoster=hoster)


def cancel_all_pending() -> int:
    count = DownloadItem.objects.filter(status=Status.PENDING).update(
        status=Status.CANCELLED, completed_at=timezone.now()
    )
    transaction.on_commit(publish_status)
    return count


def retry_all_failed() -> int:
    count = 0
    for item in DownloadItem.objects.filter(status=Status.FAILED).select_related("episode"):
        try:
            retry(item)
            count += 1
        except Conflict:
            continue
    return count


def reorder(item_ids: list[int]) -> None:
    """Give pending items the order of ``item_ids`` (others keep theirs, after them)."""
    pending = {i.id: i for i in DownloadItem.objects.filter(status=Status.PENDING)}
    unknown = [i for i in item_ids if i not in pending]
    if unknown:
        raise ValidationFailed(
            "Only pending items can be reordered.",
            details={"item_ids": [f"not pending: {unknown}"]},
        )
    ordered = list(dict.fromkeys(item_ids)) + sorted(
        (i for i in pending if i not in item_ids), key=lambda i: pending[i].position
    )
    for position, item_id in enumerate(ordered, start=1):
        pending[item_id].position = position
    DownloadItem.objects.bulk_update(pending.values(), ["position"])
    transaction.on_commit(publish_status)


def move(item: DownloadItem, step: int) -> bool:
    """Swap a pending item with its neighbour ``step`` places away (-1 up, 1 down) among
    the items of its priority; False when it is already first or last of them."""
    pending = dict(
        DownloadItem.objects.filter(status=Status.PENDING)
        .order_by("priority", "position", "id")
        .values_list("id", "priority")
    )
    if item.id not in pending:
        item.refresh_from_db(fields=["status"])
        raise IllegalTransition(
            f"Only pending items can be moved; this one is {item.status}.",
            details={"id": item.id, "status": item.status},
        )
    order = list(pending)
    index = order.index(item.id)
    other = index + step
    if not 0 <= other < len(order) or pending[order[other]] != pending[item.id]:
        return False
    order[index], order[other] = order[other], order[index]
    reorder(order)
    return True


def set_priority(item: DownloadItem, priority: int) -> None:
    if item.status != Status.PENDING:
        raise IllegalTransition("Only pending items can change priority.")
    item.priority = priority
    item.save(update_fields=["priority"])
    transaction.on_commit(publish_status)


def clear_finished() -> int:
    deleted, _ = DownloadItem.objects.filter(
        status__in=[Status.COMPLETED, Status.CANCELLED]
    ).delete()
    transaction.on_commit(publish_status)
    return deleted


def restore_after_restart(wake: bool = True) -> None:
    """At start: items a crash or kill left downloading go back to pending (seed contract).
    ``wake=False`` where this process downloads the queue itself (``manage.py download``)."""
    count = DownloadItem.objects.filter(status=Status.DOWNLOADING).update(
        status=Status.PENDING, percent=0, downloaded_bytes=0, speed_bps=None, eta_seconds=None
    )
    if count:
        log.warning("returned %d interrupted download(s) to the queue", count)
    if wake and DownloadItem.objects.filter(status=Status.PENDING).exists():
        transaction.on_commit(wake_worker)


def snapshot() -> QueueStatusData:
    """``{is_running, active, pending[], completed[], failed[], stats}`` for API, page and stream."""
    items = list(
        DownloadItem.objects.select_related("episode__series").order_by(
            "priority", "position", "id"
        )
    )
    by_status: dict[str, list[DownloadItem]] = {status: [] for status in Status.values}
    for item in items:
        by_status[item.status].append(item)
    finished = sorted(
        by_status[Status.COMPLETED] + by_status[Status.CANCELLED],
        key=lambda i: i.completed_at or i.added_at,
        reverse=True,
    )
    failed = sorted(
        by_status[Status.FAILED], key=lambda i: i.completed_at or i.added_at, reverse=True
    )
    active = by_status[Status.DOWNLOADING]
    return {
        "is_running": QueueState.get().is_running,
        "active": item_data(active[0]) if active else None,
        "pending": [item_data(i) for i in by_status[Status.PENDING]],
        "completed": [item_data(i) for i in finished],
        "failed": [item_data(i) for i in failed],
        "stats": {
            "pending": len(by_status[Status.PENDING]),
            "downloading": len(active),
            "completed": len(by_status[Status.COMPLETED]),
            "failed": len(failed),
            "cancelled": len(by_status[Status.CANCELLED]),
        },
    }


def publish_status() -> None:
    publish("downloads", "queue_status", snapshot())
