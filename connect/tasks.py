"""Background work of ``connect``: telling media servers and sending notifications.

Both run as django-q2 tasks, so the download worker only queues them and goes on.
A failure is logged and recorded for the System page, and tried once more
``RETRY_DELAY`` later through a one-off schedule; after that it is given up.
Arguments are plain literals because django-q2 stores a schedule's arguments as text.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task, schedule

from connect import media_servers, notify
from connect.media_servers import MediaServerError
from connect.models import TargetStatus

log = logging.getLogger(__name__)

RETRY_DELAY = dt.timedelta(minutes=2)
NOTIFY_TARGET = "notify"

Changes = list[list[str]]  # [path, "Created"|"Modified"|"Deleted"]


def media_target(name: str) -> str:
    return f"media:{name}"


def queue_media_update(changes: Changes, folder: str) -> None:
    """Tell every configured media server, after the current transaction commits."""
    for server in media_servers.configured_servers():
        transaction.on_commit(
            lambda name=server.name: async_task(
                "connect.tasks.tell_media_server",
                name,
                changes,
                folder,
                1,
                task_name=f"media-server-{name}"[:100],
            )
        )


def tell_media_server(name: str, changes: Changes, folder: str, attempt: int = 1) -> bool:
    server = media_servers.server_named(name)
    if server is None:
        return False  # removed from the settings since
    try:
        message = media_servers.tell(server, [tuple(change) for change in changes], folder)
    except MediaServerError as exc:
        retry = attempt == 1
        log.warning("media server %s: %s%s", name, exc, "; retrying later" if retry else "")
        TargetStatus.record(media_target(name), False, _with_retry_note(str(exc), retry))
        if retry:
            _retry("connect.tasks.tell_media_server", name, changes, folder, 2)
        return False
    log.info("media server %s: %s", name, message)
    TargetStatus.record(media_target(name), True, message)
    return True


def queue_notification(event: str, title: str, body: str, kind: str = "info") -> None:
    """Send a notification for ``event`` when the owner wants that event announced."""
    if not notify.wanted(event):
        return
    transaction.on_commit(
        lambda: async_task(
            "connect.tasks.send_notification",
            event,
            title,
            body,
            kind,
            1,
            task_name=f"notify-{event}",
        )
    )


def send_notification(
    event: str, title: str, body: str, kind: str, attempt: int = 1, urls: list[str] | None = None
) -> bool:
    """Send to ``urls`` (a retry: the ones that failed) or to every configured URL."""
    targets = urls if urls is not None else notify.configured_urls()
    if not targets:
        return False
    outcome = notify.send(title, body, targets, kind)
    if outcome.ok:
        TargetStatus.record(NOTIFY_TARGET, True, f"{event}: {outcome.message}")
        return True
    retry = attempt == 1 and bool(outcome.retryable)
    log.warning(
        "notification %s: %s%s", event, outcome.message, "; retrying later" if retry else ""
    )
    TargetStatus.record(
        NOTIFY_TARGET, False, _with_retry_note(f"{event}: {outcome.message}", retry)
    )
    if retry:
        _retry("connect.tasks.send_notification", event, title, body, kind, 2, outcome.retryable)
    return False


def _with_retry_note(message: str, retry: bool) -> str:
    return f"{message} (tried again in {RETRY_DELAY.seconds // 60} minutes)" if retry else message


def _retry(func: str, *args) -> None:
    schedule(func, *args, schedule_type=Schedule.ONCE, next_run=timezone.now() + RETRY_DELAY)
