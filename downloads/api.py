"""/api/queue: the download queue."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from aniworld.api import validated
from downloads import hoster_stats, queue
from downloads.events import item_data
from downloads.serializers import (
    PRIORITY_VALUES,
    AddSerializer,
    HosterSerializer,
    PrioritySerializer,
    QueueItemSerializer,
    QueueStatusSerializer,
    ReorderSerializer,
    UserLinkSerializer,
)
from library.catalog import get_series


@extend_schema(responses=QueueStatusSerializer)
@api_view(["GET"])
def queue_status(request):
    return Response(queue.snapshot())


@extend_schema(request=AddSerializer, responses={201: OpenApiTypes.OBJECT})
@api_view(["POST"])
def add(request):
    data = validated(AddSerializer, request)
    series = get_series(data["series_key"])
    codes = [(e["season"], e["episode"]) for e in data.get("episodes") or []]
    if data.get("all_missing"):
        codes += queue.missing_codes(series)
    with transaction.atomic():
        result = queue.add_episodes(
            series,
            codes,
            priority=PRIORITY_VALUES[data["priority"]],
            language=data.get("language") or "",
        )
    return Response(
        {"added": [item_data(i) for i in result.added], "skipped": result.skipped},
        status=status.HTTP_201_CREATED,
    )


@extend_schema(request=None, responses=QueueStatusSerializer)
@api_view(["POST"])
def start(request):
    with transaction.atomic():
        queue.start()
    return Response(queue.snapshot())


@extend_schema(request=None, responses=QueueStatusSerializer)
@api_view(["POST"])
def stop(request):
    with transaction.atomic():
        queue.stop()
    return Response(queue.snapshot())


@extend_schema(methods=["DELETE"], responses={200: OpenApiTypes.OBJECT})
@extend_schema(methods=["PATCH"], request=PrioritySerializer, responses=QueueItemSerializer)
@api_view(["DELETE", "PATCH"])
def item(request, item_id: int):
    found = queue.get_item(item_id)
    if request.method == "PATCH":
        data = validated(PrioritySerializer, request)
        with transaction.atomic():
            queue.set_priority(found, PRIORITY_VALUES[data["priority"]])
        return Response(item_data(queue.get_item(item_id)))
    with transaction.atomic():
        outcome = queue.remove(found)
    return Response({"id": item_id, "result": outcome})


@extend_schema(request=None, responses=QueueItemSerializer)
@api_view(["POST"])
def retry(request, item_id: int):
    found = queue.get_item(item_id)
    with transaction.atomic():
        queue.retry(found)
    return Response(item_data(queue.get_item(item_id)))


@extend_schema(request=UserLinkSerializer, responses=QueueItemSerializer)
@api_view(["POST"])
def user_link(request, item_id: int):
    """Queue a failed item again with the hoster page the owner reached in a browser."""
    found = queue.get_item(item_id)
    data = validated(UserLinkSerializer, request)
    with transaction.atomic():
        queue.retry_with_link(found, data["url"], data.get("hoster") or "")
    return Response(item_data(queue.get_item(item_id)))


@extend_schema(responses=HosterSerializer(many=True))
@api_view(["GET"])
def hosters(request):
    """Each hoster's attempts, success rate over its last 50 and last error."""
    return Response(hoster_stats.overview())


@extend_schema(request=None, responses=OpenApiTypes.OBJECT)
@api_view(["POST"])
def retry_failed(request):
    with transaction.atomic():
        count = queue.retry_all_failed()
    return Response({"retried": count})


@extend_schema(request=ReorderSerializer, responses=QueueStatusSerializer)
@api_view(["POST"])
def reorder(request):
    data = validated(ReorderSerializer, request)
    with transaction.atomic():
        queue.reorder(data["item_ids"])
    return Response(queue.snapshot())


@extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
@api_view(["DELETE"])
def clear_completed(request):
    with transaction.atomic():
        count = queue.clear_finished()
    return Response({"removed": count})
