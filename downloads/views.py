"""The Queue page (HTMX) and the series page's "download" buttons.

Each control of the Queue page posts to a view of its own that does one thing
through ``downloads.queue`` and says what in a sentence (``queue_control``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from aniworld.errors import AppError, ValidationFailed
from aniworld.htmx import toast
from downloads import queue
from downloads.failures import read_failure
from downloads.hosters import EXTRACTORS
from downloads.models import DownloadItem, Status
from downloads.serializers import PRIORITY_VALUES, UserLinkSerializer
from library.catalog import get_series

# The Queue page lists this many finished items, the most recent first.
FINISHED_SHOWN = 50


def _context(error: str = "") -> dict:
    snapshot = queue.snapshot()
    _describe_finished(snapshot["completed"][:FINISHED_SHOWN] + snapshot["failed"])
    return {
        "queue": snapshot,
        "error": error,
        "hoster_names": list(EXTRACTORS),
        "finished_shown": FINISHED_SHOWN,
    }


def _describe_finished(rows: list[dict]) -> None:
    """Add what a finished row shows beyond the API's fields: when, how big, how long,
    and for a failure its headline, the hosters tried and each one's reason."""
    items = DownloadItem.objects.select_related("episode").in_bulk([row["id"] for row in rows])
    for row in rows:
        item = items.get(row["id"])
        if item is None:  # cleared since the snapshot: the row shows what it had
            continue
        row["finished_at"] = item.completed_at
        row["took"] = duration_words(item.started_at, item.completed_at)
        row["size"] = _file_size(item)
        if item.status == Status.FAILED:
            row["failure"] = read_failure(item.error)


def _file_size(item: DownloadItem) -> int | None:
    """The placed file's size; the bytes fetched for an item whose file was replaced since."""
    if item.status != Status.COMPLETED:
        return None
    episode = item.episode
    if episode.file_path == item.file_path and episode.file_size:
        return episode.file_size
    return item.total_bytes or item.downloaded_bytes or None


def duration_words(start: datetime | None, end: datetime | None) -> str:
    """ "45 s", "3 min 20 s", "1 h 5 min"; empty when either end is unknown."""
    if start is None or end is None or end < start:
        return ""
    seconds = round((end - start).total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {seconds} s"
    return f"{seconds} s"


@login_required
@require_GET
def queue_page(request):
    if request.htmx:
        return render(request, "downloads/queue.html#queue", _context())
    return render(request, "downloads/queue.html", _context())


def _codes(values: list[str]) -> list[tuple[int, int]]:
    codes = []
    for value in values:
        season, _, number = value.partition("-")
        if season.isdigit() and number.isdigit():
            codes.append((int(season), int(number)))
    return codes


@login_required
@require_POST
def add_from_series(request):
    series = get_series(request.POST.get("series_key", ""))
    codes = _codes(request.POST.getlist("episodes"))
    action = request.POST.get("action")
    if action == "all_missing":
        codes = queue.missing_codes(series)
    elif action == "season_missing":
        season = request.POST.get("season", "")
        codes = queue.missing_codes(series, int(season)) if season.isdigit() else []
    if not codes:
        messages.warning(request, "Select at least one episode first.")
        return redirect("series", series.key)
    with transaction.atomic():
        result = queue.add_episodes(series, codes)
    if result.added:
        messages.success(request, f"Queued {len(result.added)} episode(s) of {series.name}.")
    if result.skipped:
        reasons = ", ".join(
            f"S{s['season']:02d}E{s['episode']:02d} ({s['reason']})" for s in result.skipped[:5]
        )
        messages.info(request, f"Skipped {len(result.skipped)}: {reasons}")
    return redirect("queue")


def _queue_answer(request: HttpRequest, done: str = "", error: str = "") -> HttpResponse:
    """HTMX: the queue again (an error above it) with a toast of what was done;
    a form posted without JavaScript: back to the Queue page with a message."""
    if request.htmx:
        response = render(request, "downloads/queue.html#queue", _context(error))
        return toast(response, done) if done else response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("queue")


def queue_control(view: Callable[..., str]) -> Callable[..., HttpResponse]:
    """A Queue page control (a POST by the logged-in owner): ``view`` does one thing in
    a transaction and returns a sentence saying what; an ``AppError`` it raises (no
    such item, a status that does not allow it, a bad value) is the answer instead."""

    @login_required
    @require_POST
    @wraps(view)
    def control(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            with transaction.atomic():
                done = view(request, *args, **kwargs)
        except AppError as exc:
            return _queue_answer(request, error=exc.message)
        return _queue_answer(request, done=done)

    return control


def _episode(item: DownloadItem) -> str:
    episode = item.episode
    return f"{episode.series.name} S{episode.season:02d}E{episode.number:02d}"


@queue_control
def start(request):
    queue.start()
    return "The queue is running."


@queue_control
def stop(request):
    queue.stop()
    return "The queue is stopped; an active download goes back to waiting."


@queue_control
def cancel(request, item_id: int):
    """Cancel a waiting or active item, or dismiss a finished one."""
    item = queue.get_item(item_id)
    outcome = queue.remove(item)
    return f"{outcome.capitalize()} {_episode(item)}."


@queue_control
def retry(request, item_id: int):
    item = queue.get_item(item_id)
    queue.retry(item)
    return f"Queued {_episode(item)} again."


@queue_control
def move_up(request, item_id: int):
    item = queue.get_item(item_id)
    if queue.move(item, -1):
        return f"Moved {_episode(item)} up."
    return f"{_episode(item)} is already first of its priority."


@queue_control
def move_down(request, item_id: int):
    item = queue.get_item(item_id)
    if queue.move(item, 1):
        return f"Moved {_episode(item)} down."
    return f"{_episode(item)} is already last of its priority."


@queue_control
def set_priority(request, item_id: int):
    item = queue.get_item(item_id)
    name = request.POST.get("priority", "")
    if name not in PRIORITY_VALUES:
        raise ValidationFailed(
            f"Unknown priority {name!r}: choose {', '.join(PRIORITY_VALUES)}.",
            details={"priority": [f"one of {', '.join(PRIORITY_VALUES)}"]},
        )
    queue.set_priority(item, PRIORITY_VALUES[name])
    return f"{_episode(item)} now has {name} priority."


@queue_control
def paste_link(request, item_id: int):
    """The form of a CHALLENGE item: the video page the owner reached past the check."""
    item = queue.get_item(item_id)
    form = UserLinkSerializer(data={key: request.POST.get(key, "") for key in ("url", "hoster")})
    if not form.is_valid():
        raise ValidationFailed(
            " ".join(str(text) for texts in form.errors.values() for text in texts)
        )
    queue.retry_with_link(item, form.validated_data["url"], form.validated_data.get("hoster") or "")
    return f"Queued {_episode(item)} again with the page you reached."


@queue_control
def retry_failed(request):
    count = queue.retry_all_failed()
    return (
        f"Queued {count} failed download(s) again."
        if count
        else "No failed download to queue again."
    )


@queue_control
def cancel_pending(request):
    count = queue.cancel_all_pending()
    return (
        f"Removed {count} waiting episode(s) from the queue." if count else "Nothing was waiting."
    )


@queue_control
def clear_finished(request):
    count = queue.clear_finished()
    return f"Cleared {count} finished item(s)." if count else "Nothing finished to clear."
