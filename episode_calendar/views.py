"""The Calendar page (an agenda by day) and the iCalendar feed."""

from __future__ import annotations

from datetime import UTC, timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST, require_safe

from accounts import api_key
from aniworld.api import error_response
from aniworld.errors import ValidationFailed
from aniworld.htmx import toast
from episode_calendar import agenda, ics
from library.models import Series
from nfo.health import tmdb_configured
from nfo.models import EpisodeMetadata

PAGE_DAYS = 14
# What the feed covers: calendar apps show the recent past and the coming weeks.
FEED_PAST_DAYS = 30
FEED_FUTURE_DAYS = 120


@login_required
@require_GET
def calendar_page(request):
    try:
        first, last = agenda.date_range(request.GET.get("start"), None, default_days=PAGE_DAYS)
        problem = ""
    except ValidationFailed as exc:
        first, last = agenda.date_range(None, None, default_days=PAGE_DAYS)
        problem = exc.message
    today = agenda.today()
    items = agenda.entries(first, last)
    days = [
        {
            "day": day.day,
            "is_today": day.day == today,
            "entries": [{"entry": e, "status": e.status(today).value} for e in day.entries],
        }
        for day in agenda.by_day(items)
    ]
    context = {
        "nav": "calendar",
        "problem": problem,
        "first": first,
        "last": last,
        "today": today,
        "previous": first - timedelta(days=PAGE_DAYS),
        "next": first + timedelta(days=PAGE_DAYS),
        "days": days,
        "has_series": Series.objects.exists(),
        "has_air_dates": EpisodeMetadata.objects.exists(),
        "tmdb_configured": tmdb_configured(),
    }
    return render(request, "calendar/agenda.html", context)


@login_required
@require_POST
def regenerate_api_key(request):
    """The Settings page's "Make a new key": the card again, with the new key."""
    new_key = api_key.regenerate()
    if not request.htmx:
        return redirect(f"{reverse('settings')}#section-api-key")
    response = render(request, "calendar/api_key_panel.html", {"api_key": new_key})
    return toast(response, "A new API key was made; the old one no longer works.")


@require_safe
def calendar_feed(request):
    """``/feed/calendar.ics?apikey=…``: 401 without a key, 403 with a wrong one."""
    candidate = request.GET.get("apikey", "").strip() or api_key.key_of(request)
    if not candidate:
        return error_response(
            401, request, message="The calendar feed needs the API key: ?apikey=<API key>."
        )
    if not api_key.is_valid(candidate):
        return error_response(
            403, request, message="The API key is not valid (it may have been regenerated)."
        )
    today = agenda.today()
    entries = agenda.entries(
        today - timedelta(days=FEED_PAST_DAYS), today + timedelta(days=FEED_FUTURE_DAYS)
    )
    body = ics.calendar(entries, timezone.now().astimezone(UTC), today)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="aniworld.ics"'
    response["Cache-Control"] = "no-store"
    return response
