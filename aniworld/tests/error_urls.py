"""Views that fail on purpose, for the error-contract tests."""

from django.urls import include, path
from rest_framework import serializers
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from aniworld.errors import Conflict


class EpisodeSerializer(serializers.Serializer):
    season = serializers.IntegerField(min_value=0)


@api_view(["POST"])
@permission_classes([AllowAny])
def validating(request):
    EpisodeSerializer(data=request.data).is_valid(raise_exception=True)
    return Response({"ok": True})


@api_view(["GET"])
@permission_classes([AllowAny])
def crashing(request):
    raise RuntimeError("secret internals")


@api_view(["GET"])
@permission_classes([AllowAny])
def conflicting(request):
    raise Conflict("Already there.", details={"key": "x"})


def plain_crashing(request):
    raise ValueError("plain view internals")


urlpatterns = [
    path("api/test/validating", validating),
    path("api/test/crashing", crashing),
    path("api/test/conflicting", conflicting),
    path("api/test/plain-crashing", plain_crashing),
    path("", include("aniworld.urls")),
]
