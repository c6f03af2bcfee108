"""Library and series pages (HTMX): covers, search, add dialog, scans, episodes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_q.tasks import async_task

from aniworld.errors import AppError
from aniworld.htmx import STOP_POLLING, page_or_partial
from library import catalog, covers, importing, renaming, scanning
from library.api import detail_data, library_queryset
from library.models import ScanKind, Series
from library.providers import PROVIDERS, get_provider, provider_for_url

PAGE_SIZE = 60
# Folders the unmatched panel looks up per load; an import run does the rest.
PANEL_LOOKUPS = 3


def htmx_redirect(url: str) -> HttpResponse:
    response = HttpResponse(status=204)
    response["HX-Redirect"] = url
    return response


@login_required
@require_GET
def library_page(request):
    try:
        queryset = library_queryset(request.GET)
    except AppError:
        queryset = library_queryset({})
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "search": request.GET.get("search", ""),
        "missing_only": request.GET.get("missing") == "true",
        "nfo_missing_only": request.GET.get("nfo") == "missing",
        "scan": scanning.scan_state(),
        "sites": list(PROVIDERS),
        "library_problem": catalog.library_root_message(),
    }
    return render(request, page_or_partial(request, "library/library.html", "series-list"), context)


@login_required
@require_http_methods(["GET", "POST"])
def add_dialog(request):
    """GET ?q= searches the index; POST adds a result (or a pasted URL)."""
    if request.method == "POST":
        try:
            url = request.POST.get("url", "").strip()
            if url:
                provider, key = provider_for_url(url)
                site = provider.site
            else:
                site, key = request.POST.get("site", ""), request.POST.get("key", "")
                get_provider(site)
            series = catalog.add_series(site, key)
        except AppError as exc:
            return render(request, "library/add_results.html", {"error": exc.message})
        return htmx_redirect(reverse("series", args=[series.key]))
    query = request.GET.get("q", "").strip()
    context: dict = {"query": query, "results": [], "error": ""}
    if query:
        in_library = set(Series.objects.values_list("key", flat=True))
        for provider in PROVIDERS.values():
            try:
                for result in provider.search(query):
                    context["results"].append((result, result.key in in_library))
            except AppError as exc:
                context["error"] = exc.message
    return render(request, "library/add_results.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def scan_panel(request):
    """The scan status panel; POST starts a scan. It polls itself while a scan runs."""
    error = ""
    if request.method == "POST":
        try:
            scanning.start_scan(request.POST.get("key", ""), remote=True)
        except AppError as exc:
            error = exc.message
    state = scanning.scan_state()
    response = render(request, "library/scan_panel.html", {"scan": state, "error": error})
    if request.method == "GET" and state["running"] is None:
        response.status_code = STOP_POLLING
        if state["last"] is not None and state["last"].kind == ScanKind.IMPORT:
            # The folder list changed: it reloads on this event (when no socket told it).
            response["HX-Trigger"] = "import-finished"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def unmatched_panel(request):
    """Folders without a series and their matches; POST attaches one to a match."""
    error = ""
    if request.method == "POST":
        try:
            series = importing.attach_match(
                request.POST.get("folder", ""),
                request.POST.get("site", ""),
                request.POST.get("key", ""),
            )
            return htmx_redirect(reverse("series", args=[series.key]))
        except AppError as exc:
            error = exc.message
    try:
        # Looking a folder up asks the sites several things: the rest waits for an import run.
        folders = importing.unmatched_folders(lookup_limit=PANEL_LOOKUPS)
    except AppError as exc:
        folders, error = [], error or exc.message
    context = {
        "folders": folders,
        "error": error,
        "confident_count": sum(folder["confident"] for folder in folders),
        "not_looked_up": sum(not folder["looked_up"] for folder in folders),
    }
    return render(request, "library/unmatched.html", context)


@login_required
@require_POST
def start_import(request):
    """An import run in the background, its progress in the scan panel: the buttons
    "Find matches for all folders" and (``attach=true``) "Attach all confident matches"."""
    error = ""
    try:
        importing.start_import(attach=request.POST.get("attach") == "true")
    except AppError as exc:
        error = exc.message
    state = scanning.scan_state()
    return render(request, "library/scan_panel.html", {"scan": state, "error": error})


@login_required
@require_http_methods(["GET", "POST"])
def rename_panel(request, key: str):
    """The previewed renames ("Rename files: 12 files, see the list"); POST does them."""
    series = catalog.get_series(key)
    context: dict = {"series": series, "error": "", "renamed": None, "refused": []}
    try:
        if request.method == "POST":
            context["renamed"], context["refused"] = renaming.apply_renames(series)
        context["plan"] = renaming.rename_plan(series)
    except AppError as exc:
        context["plan"], context["error"] = [], exc.message
    context["ready"] = [rename for rename in context["plan"] if not rename.problem]
    return render(request, "library/rename.html", context)


@login_required
@require_GET
def series_cover(request, key: str):
    """The series' cover image from our own origin (see library.covers)."""
    series = catalog.get_series(key)
    found = covers.cover_file(series)
    if found is None:
        response = HttpResponse(covers.PLACEHOLDER_SVG, content_type="image/svg+xml")
    else:
        path, content_type = found
        response = FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_GET
def series_page(request, key: str):
    series = catalog.get_series(key)
    data = detail_data(series)
    seasons = data["seasons"]
    chosen = request.GET.get("season")
    numbers = [s["season"] for s in seasons]
    current = int(chosen) if chosen and chosen.isdigit() and int(chosen) in numbers else None
    if current is None and numbers:
        current = next((n for n in numbers if n > 0), numbers[0])
    season = next((s for s in seasons if s["season"] == current), None)
    context = {
        "series": series,
        "data": data,
        "seasons": numbers,
        "current": current,
        "season": season,
        "missing_total": sum(e["missing"] for s in seasons for e in s["episodes"]),
        "season_missing": sum(e["missing"] for e in season["episodes"]) if season else 0,
    }
    return render(request, page_or_partial(request, "library/series.html", "episodes"), context)


@login_required
@require_POST
def refresh_season(request, key: str, season: int):
    """Ask the index again for one season's episodes and languages (in the background)."""
    series = catalog.get_series(key)
    async_task(
        "library.tasks.refresh_one_season",
        series.id,
        season,
        task_name=f"refresh-season-{series.id}-{season}",
    )
    label = "the films" if season == 0 else f"season {season}"
    messages.info(request, f"Refreshing {label} of {series.name} from {series.site}…")
    return HttpResponseRedirect(f"{reverse('series', args=[series.key])}?season={season}")
