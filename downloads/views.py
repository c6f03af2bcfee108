"""The Queue page (HTMX) and the series page's "download" buttons."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from aniworld.errors import AppError
from downloads import queue
from downloads.failures import read_failure
from downloads.hosters import EXTRACTORS
from downloads.models import DownloadItem, Priority, Status
from downloads.serializers import UserLinkSerializer
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
        return HttpResponseRedirect(f"/series/{series.key}/")
    with transaction.atomic():
        result = queue.add_episodes(series, codes)
    if result.added:
        messages.success(request, f"Queued {len(result.added)} episode(s) of {series.name}.")
    if result.skipped:
        reasons = ", ".join(
            f"S{s['season']:02d}E{s['episode']:02d} ({s['reason']})" for s in result.skipped[:5]
        )
        messages.info(request, f"Skipped {len(result.skipped)}: {reasons}")
    return HttpResponseRedirect("/queue/")


def _move(item: DownloadItem, step: int) -> None:
    pending = list(
        DownloadItem.objects.filter(status=Status.PENDING)
        .order_by("priority", "position", "id")
        .values_list("id", flat=True)
    )
    index = pending.index(item.id)
    other = index + step
    if 0 <= other < len(pending):
        pending[index], pending[other] = pending[other], pending[index]
        queue.reorder(pending)


ACTIONS = {
    "start": lambda item, value: queue.start(),
    "stop": lambda item, value: queue.stop(),
    "cancel": lambda item, value: queue.remove(item),
    "retry": lambda item, value: queue.retry(item),
    "retry_failed": lambda item, value: queue.retry_all_failed(),
    "cancel_pending": lambda item, value: queue.cancel_all_pending(),
    "clear": lambda item, value: queue.clear_finished(),
    "up": lambda item, value: _move(item, -1),
    "down": lambda item, value: _move(item, 1),
    "priority": lambda item, value: queue.set_priority(item, Priority[value.upper()]),
}
NEEDS_ITEM = {"cancel", "retry", "up", "down", "priority"}


@login_required
@require_POST
def paste_link(request):
    """The Queue page's form for a CHALLENGE item: the video page the owner reached."""
    error = ""
    try:
        item_id = request.POST.get("id", "")
        if not item_id.isdigit():
            raise AppError("Which item?", status=400)
        item = queue.get_item(int(item_id))
        form = UserLinkSerializer(data={k: request.POST.get(k, "") for k in ("url", "hoster")})
        if not form.is_valid():
            raise AppError(" ".join(str(m) for ms in form.errors.values() for m in ms), status=422)
        with transaction.atomic():
            queue.retry_with_link(item, form.validated_data["url"], form.validated_data["hoster"])
    except AppError as exc:
        error = exc.message
    if request.htmx:
        return render(request, "downloads/queue.html#queue", _context(error))
    if error:
        messages.error(request, error)
    return HttpResponseRedirect("/queue/")


@login_required
@require_POST
def queue_action(request):
    action = request.POST.get("action", "")
    error = ""
    try:
        if action not in ACTIONS:
            raise AppError(f"Unknown action {action!r}.", status=400)
        item = None
        if action in NEEDS_ITEM:
            item_id = request.POST.get("id", "")
            item = queue.get_item(int(item_id)) if item_id.isdigit() else None
            if item is None:
                raise AppError("Which item?", status=400)
        with transaction.atomic():
            ACTIONS[action](item, request.POST.get("value", ""))
    except (AppError, KeyError) as exc:
        error = getattr(exc, "message", f"Unknown priority {exc}.")
    if request.htmx:
        return render(request, "downloads/queue.html#queue", _context(error))
    if error:
        messages.error(request, error)
    return HttpResponseRedirect("/queue/")
