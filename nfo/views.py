"""NFO on the pages: the series page's metadata panel, the local poster, the library's batch."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from aniworld.errors import AppError, ValidationFailed
from aniworld.htmx import STOP_POLLING
from library import catalog
from library.covers import local_poster
from library.models import Series
from nfo import repair, service
from nfo.health import TmdbStatus, tmdb_configured, tmdb_status
from nfo.models import NfoState
from nfo.progress import is_running, last_job

# A TMDB id as typed, or a themoviedb.org address of the series.
TMDB_ID_INPUT = re.compile(r"^\s*(?:https?://(?:www\.)?themoviedb\.org/tv/)?(\d{1,9})\b")


@dataclass
class NfoPanel:
    """What the series page's NFO panel shows."""

    state: NfoState | None
    configured: bool
    tmdb: TmdbStatus
    poster_version: str  # "" when there is no local poster
    error: AppError | None = None
    message: str = ""

    @property
    def tmdb_has_no_more(self) -> bool:
        return (
            self.state is not None
            and repair.repair_action(self.state) == repair.RepairAction.NOTHING_MORE
        )

    @property
    def candidates(self) -> list[dict]:
        if self.error is not None and self.error.details.get("candidates"):
            return self.error.details["candidates"]
        return self.state.match_candidates if self.state is not None else []


def nfo_panel(series: Series, *, error: AppError | None = None, message: str = "") -> NfoPanel:
    """The NFO panel of a series page (reads the disk, never TMDB)."""
    try:
        state = service.inspect(series)
    except AppError as exc:  # no library directory, say: the page still renders
        state, error = None, error or exc
    poster = local_poster(series)
    return NfoPanel(
        state=state,
        configured=tmdb_configured(),
        tmdb=tmdb_status(),
        poster_version=str(poster.stat().st_mtime_ns) if poster else "",
        error=error,
        message=message,
    )


@login_required
@require_GET
def poster(request, key: str):
    path = local_poster(catalog.get_series(key))
    if path is None:
        raise Http404("This series has no poster.jpg in its folder.")
    response = FileResponse(path.open("rb"), content_type="image/jpeg")
    # The page links the poster with its modification time, so that URL never changes.
    cached = request.GET.get("v") == str(path.stat().st_mtime_ns)
    response["Cache-Control"] = "private, max-age=86400" if cached else "private, no-cache"
    return response


def parse_tmdb_id(text: str) -> int:
    match = TMDB_ID_INPUT.match(text or "")
    if not match or int(match.group(1)) < 1:
        raise ValidationFailed(
            "Enter a TMDB id (the number in themoviedb.org/tv/…) or the series' TMDB address.",
            details={"tmdb_id": ["not a TMDB id"]},
        )
    return int(match.group(1))


@login_required
@require_http_methods(["GET", "POST"])
def series_panel(request, key: str):
    """The panel; POST action=create|refresh|match (with tmdb_id) writes the NFO first."""
    series = catalog.get_series(key)
    error, message = None, ""
    if request.method == "POST":
        action = request.POST.get("action", "create")
        try:
            service.require_tmdb()
            if action == "match":
                service.set_manual_tmdb_id(series, parse_tmdb_id(request.POST.get("tmdb_id", "")))
            service.create_or_refresh(series, force=action == "refresh")
            message = "tvshow.nfo and artwork written."
        except AppError as exc:
            error = exc
        if not request.htmx:
            return redirect("series", key=series.key)
    panel = nfo_panel(series, error=error, message=message)
    # The series page loads the panel with hx-get; without JavaScript its link opens a page.
    template = "nfo/series_panel.html" if request.htmx else "nfo/series_page.html"
    return render(request, template, {"series": series, "nfo": panel})


@login_required
@require_http_methods(["GET", "POST"])
def batch_panel(request):
    """The library's "Write missing NFOs" status; POST starts the batch. Polls while it runs."""
    error, queued = "", None
    if request.method == "POST":
        try:
            queued = len(repair.start_batch())
        except AppError as exc:
            error = exc.message
        if not request.htmx:
            return redirect("library")
    job = last_job("batch")
    context = {"job": job, "running": is_running(job), "error": error, "queued": queued}
    response = render(request, "nfo/batch_panel.html", context)
    if request.method == "GET" and not context["running"]:
        response.status_code = STOP_POLLING
    return response
