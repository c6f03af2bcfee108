"""``POST /api/connect/test``: try the media servers or the notification URLs now."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from aniworld.api import validated
from connect import checks

TARGETS = ("notify", "media_servers")


class TestRequestSerializer(serializers.Serializer):
    target = serializers.ChoiceField(choices=TARGETS)
    name = serializers.CharField(required=False, allow_blank=True, default="")


@extend_schema(
    request=TestRequestSerializer,
    responses=OpenApiTypes.OBJECT,
    description=(
        "Send a test notification to every URL, or ask every media server (or the one "
        "named) whether it answers with its key. 200 with each target's result; 409 when "
        "nothing is configured."
    ),
)
@api_view(["POST"])
def test_targets(request):
    data = validated(TestRequestSerializer, request)
    if data["target"] == "notify":
        results = checks.try_notifications()
    else:
        results = checks.try_media_servers(data["name"].strip())
    return Response(
        {
            "target": data["target"],
            "ok": all(result.ok for result in results),
            "results": [result.as_dict() for result in results],
        }
    )
