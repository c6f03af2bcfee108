"""The System page and the logs view."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from aniworld import logs
from aniworld.env import LOG_LEVELS
from aniworld.htmx import page_or_partial
from system import status

LINE_CHOICES = (100, 200, 500, 1000)


@login_required
@require_GET
def system_page(request):
    return render(request, "system/system.html", {"nav": "system", "status": status.status()})


@login_required
@require_GET
def logs_page(request):
    level = request.GET.get("level", "INFO").upper()
    if level not in LOG_LEVELS:
        level = "INFO"
    lines = request.GET.get("lines", "")
    limit = int(lines) if lines.isdigit() and int(lines) in LINE_CHOICES else 200
    context = {
        "nav": "system",
        "records": status.tail_records(limit=limit, min_level=level),
        "level": level,
        "levels": LOG_LEVELS,
        "limit": limit,
        "line_choices": LINE_CHOICES,
        "log_path": logs.log_file_path(),
    }
    return render(request, page_or_partial(request, "system/logs.html", "log-records"), context)


@login_required
@require_GET
def download_log(request):
    path = logs.log_file_path()
    if not path.is_file():
        raise Http404("There is no log file yet.")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
