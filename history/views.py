"""The History page and the history panel of a Series page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from aniworld.errors import ValidationFailed
from aniworld.htmx import page_or_partial
from history.models import Event, HistoryEvent
from history.queries import filtered_events

PAGE_SIZE = 50
PANEL_SIZE = 10


@login_required
@require_GET
def history_page(request):
    error = ""
    try:
        events = filtered_events(request.GET)
    except ValidationFailed as exc:
        error = exc.message
        events = HistoryEvent.objects.none()
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    context = {
        "nav": "history",
        "page": page,
        "events": Event.choices,
        "series": request.GET.get("series", ""),
        "event": request.GET.get("event", ""),
        "since": request.GET.get("since", ""),
        "query": filters.urlencode(),
        "error": error,
        "filtered": any(request.GET.get(name) for name in ("series", "event", "since")),
    }
    return render(
        request, page_or_partial(request, "history/history.html", "history-list"), context
    )


@login_required
@require_GET
def series_panel(request, key: str):
    """The newest events of one series, for its page (loaded there with hx-get)."""
    events = list(HistoryEvent.objects.filter(series_key=key)[: PANEL_SIZE + 1])
    return render(
        request,
        "history/series_panel.html",
        {"key": key, "rows": events[:PANEL_SIZE], "more": len(events) > PANEL_SIZE},
    )
