"""The Wanted page: every missing episode of the library, and every episode whose
preferred language has appeared since it was downloaded, with "queue selected"."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from downloads import queue
from library.languages import preferred_mask, preferred_order
from library.models import Episode, Series

PAGE_SIZE = 100
KINDS = ("missing", "upgrades")


def wanted_episodes(kind: str):
    episodes = (
        Episode.objects.missing(preferred_mask())
        if kind == "missing"
        else Episode.objects.upgradable(preferred_order())
    )
    return episodes.select_related("series").order_by(
        "series__name", "series_id", "season", "number"
    )


@login_required
@require_GET
def wanted_page(request):
    kind = request.GET.get("kind") if request.GET.get("kind") in KINDS else "missing"
    page = Paginator(wanted_episodes(kind), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "kind": kind,
        "page": page,
        "counts": {name: wanted_episodes(name).count() for name in KINDS},
    }
    return render(request, "downloads/wanted.html", context)


def _selected(values: list[str]) -> dict[str, list[tuple[int, int]]]:
    """``key:season-episode`` values grouped by series key."""
    by_series: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for value in values:
        key, _, code = value.rpartition(":")
        season, _, number = code.partition("-")
        if key and season.isdigit() and number.isdigit():
            by_series[key].append((int(season), int(number)))
    return by_series


@login_required
@require_POST
def queue_wanted(request):
    kind = request.POST.get("kind") if request.POST.get("kind") in KINDS else "missing"
    back = f"{reverse('wanted')}?kind={kind}"
    selected = _selected(request.POST.getlist("episodes"))
    if not selected:
        messages.warning(request, "Select at least one episode first.")
        return HttpResponseRedirect(back)
    added = skipped = 0
    with transaction.atomic():
        for series in Series.objects.filter(key__in=selected):
            result = queue.add_episodes(series, selected[series.key])
            added += len(result.added)
            skipped += len(result.skipped)
    if added:
        messages.success(request, f"Queued {added} episode(s).")
    if skipped:
        messages.info(request, f"Skipped {skipped} (already queued or no longer wanted).")
    return HttpResponseRedirect(reverse("queue") if added else back)
