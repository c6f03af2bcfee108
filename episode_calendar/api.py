"""GET /api/calendar: the episodes airing in a date range."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from episode_calendar import agenda


class CalendarEntrySerializer(serializers.Serializer):
    """The shape of one entry (for the schema; ``CalendarEntry.as_dict`` makes it)."""

    series_key = serializers.CharField()
    series_name = serializers.CharField()
    season = serializers.IntegerField()
    episode = serializers.IntegerField()
    title = serializers.CharField(allow_blank=True)
    air_date = serializers.DateField()
    is_downloaded = serializers.BooleanField()


@extend_schema(
    parameters=[
        OpenApiParameter("start", OpenApiTypes.DATE, description="first day (default today)"),
        OpenApiParameter("end", OpenApiTypes.DATE, description="last day, inclusive"),
    ],
    responses=CalendarEntrySerializer(many=True),
    description=(
        "Episodes airing from start to end (YYYY-MM-DD, inclusive, at most "
        f"{agenda.MAX_RANGE_DAYS} days): "
        "[{series_key, series_name, season, episode, title, air_date, is_downloaded}]. "
        "Air dates come from TMDB."
    ),
)
@api_view(["GET"])
def calendar(request):
    first, last = agenda.date_range(
        request.query_params.get("start"), request.query_params.get("end")
    )
    return Response([entry.as_dict() for entry in agenda.entries(first, last)])
