"""``GET /api/history``: the event log, newest first, filtered and paginated."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view

from aniworld.api import Pagination
from history.models import Event
from history.queries import filtered_events
from history.serializers import HistoryEventSerializer, HistoryPageSerializer


@extend_schema(
    parameters=[
        OpenApiParameter("series", str, description="a series key"),
        OpenApiParameter("event", str, enum=Event.values),
        OpenApiParameter("since", OpenApiTypes.DATETIME, description="YYYY-MM-DD or ISO"),
        OpenApiParameter("page", int),
        OpenApiParameter("page_size", int),
    ],
    responses=HistoryPageSerializer,
)
@api_view(["GET"])
def history_list(request):
    paginator = Pagination()
    page = paginator.paginate_queryset(filtered_events(request.query_params), request)
    return paginator.get_paginated_response(HistoryEventSerializer(page, many=True).data)
