"""/api/nfo: NFO state per series, create/refresh, the raw file, missing list, batch, repair."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, parser_classes, renderer_classes
from rest_framework.parsers import JSONParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from aniworld.api import validated
from aniworld.errors import NotFound
from library import catalog
from nfo import service
from nfo.repair import examine_library, repair_library, start_batch
from nfo.serializers import NfoBatchSerializer, NfoRefreshSerializer, NfoStateSerializer


class XmlRenderer(BaseRenderer):
    """Lets a client ask for ``application/xml``; errors still go out as JSON."""

    media_type = "application/xml"
    format = "xml"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return JSONRenderer().render(data, renderer_context=renderer_context)


@extend_schema(responses=OpenApiTypes.OBJECT)
@api_view(["GET"])
def missing(request):
    """Every series (with a folder) whose tvshow.nfo is missing, unreadable or incomplete."""
    report = examine_library()
    data = report.as_dict()
    return Response(
        {"count": len(data["incomplete"]), "checked": data["checked"], "series": data["incomplete"]}
    )


@extend_schema(request=NfoBatchSerializer, responses={202: OpenApiTypes.OBJECT})
@api_view(["POST"])
# JSON only: a form body with a long list of keys exceeds Django's field limit.
@parser_classes([JSONParser])
def batch(request):
    data = validated(NfoBatchSerializer, request)
    keys = start_batch(data.get("keys") or None, data["force"])
    return Response(
        {"job": "batch", "queued": len(keys), "keys": keys, "force": data["force"]},
        status=status.HTTP_202_ACCEPTED,
    )


@extend_schema(request=None, responses={202: OpenApiTypes.OBJECT})
@api_view(["POST"])
def repair(request):
    """Read every tvshow.nfo now; the incomplete ones are refreshed in the background.

    Episode NFOs are rewritten (or removed with their video) at once; series whose
    episodes or season posters need TMDB join the background batch.
    """
    report = repair_library()
    return Response({"job": "repair", **report.as_dict()}, status=status.HTTP_202_ACCEPTED)


@extend_schema(methods=["GET"], responses=NfoStateSerializer)
@extend_schema(methods=["POST"], request=NfoRefreshSerializer, responses=NfoStateSerializer)
@api_view(["GET", "POST"])
def nfo_detail(request, key: str):
    series = catalog.get_series(key)
    if request.method == "POST":
        data = validated(NfoRefreshSerializer, request)
        service.require_tmdb()
        if "tmdb_id" in data:
            service.set_manual_tmdb_id(series, data["tmdb_id"])
        state = service.create_or_refresh(series, force=data["force"])
    else:
        state = service.inspect(series)
    return Response(NfoStateSerializer(state).data)


@extend_schema(
    responses={
        (200, "application/xml"): OpenApiResponse(OpenApiTypes.STR, description="tvshow.nfo"),
        404: OpenApiTypes.OBJECT,
    }
)
@api_view(["GET"])
@renderer_classes([JSONRenderer, XmlRenderer])
def content(request, key: str):
    series = catalog.get_series(key)
    try:
        data = service.nfo_path(series).read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise NotFound(
            f"{series.name!r} has no tvshow.nfo yet.", details={"key": key}, code="NFO_MISSING"
        ) from None
    return HttpResponse(data, content_type="application/xml; charset=utf-8")
