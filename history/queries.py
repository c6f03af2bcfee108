"""Filtering the event log, shared by ``GET /api/history`` and the History page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from aniworld.errors import ValidationFailed
from history.models import Event, HistoryEvent


def parse_since(value: str) -> dt.datetime | None:
    """``YYYY-MM-DD`` (midnight, local time) or an ISO date-time; empty means no limit."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is not None:
                moment = dt.datetime.combine(day, dt.time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationFailed(
            "since must be a date (YYYY-MM-DD) or an ISO date-time.",
            details={"since": [f"not a date: {value!r}"]},
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def filtered_events(params: Mapping[str, str]) -> QuerySet[HistoryEvent]:
    """Events newest first, narrowed by ``series`` (key), ``event`` and ``since``."""
    events = HistoryEvent.objects.all()
    series = (params.get("series") or "").strip()
    if series:
        events = events.filter(series_key=series)
    event = (params.get("event") or "").strip()
    if event:
        if event not in Event.values:
            raise ValidationFailed(
                f"Unknown event {event!r}.",
                details={"event": [f"must be one of {', '.join(Event.values)}"]},
            )
        events = events.filter(event=event)
    since = parse_since(params.get("since") or "")
    if since is not None:
        events = events.filter(at__gte=since)
    return events
