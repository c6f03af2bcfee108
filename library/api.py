"""/api/anime: the library, index search, adding series, scans, missing episodes."""

from __future__ import annotations

import re

from django.db.models import Prefetch, Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from aniworld.api import Pagination, validated
from aniworld.errors import RemoteError, ValidationFailed
from library import catalog, importing, renaming, scanning
from library.languages import preferred_mask, preferred_order
from library.models import Episode, Series
from library.providers import PROVIDERS, get_provider, provider_for_url
from library.serializers import (
    AddSeriesSerializer,
    AttachConfidentSerializer,
    AttachSerializer,
    ImportSerializer,
    MissingEpisodeSerializer,
    RescanSerializer,
    ScanRunSerializer,
    SearchResultSerializer,
    SeriesDetailSerializer,
    SeriesListSerializer,
    SeriesPageSerializer,
    UnmatchedFolderSerializer,
)

ORDERINGS = {
    "name",
    "-name",
    "year",
    "-year",
    "created_at",
    "-created_at",
    "missing_count",
    "-missing_count",
}
NFO_FILTERS = ("", "missing")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def search_text(value: str | None, field: str) -> str:
    """A search term with its whitespace collapsed. Other control characters are
    refused: nobody types them, and a NUL breaks queries on PostgreSQL."""
    text = " ".join((value or "").split())
    if CONTROL_CHARACTERS.search(text):
        raise ValidationFailed(
            "The search contains control characters.",
            details={field: ["must not contain control characters"]},
        )
    return text


def truthy(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "yes", "on")


def library_queryset(params) -> tuple:
    """The filtered, ordered library for the list API and the library page."""
    queryset = Series.objects.with_counts(preferred_mask())
    search = search_text(params.get("search"), "search")
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(key__icontains=search))
    if truthy(params.get("missing")):
        queryset = queryset.filter(missing_count__gt=0)
    nfo = params.get("nfo") or ""
    if nfo not in NFO_FILTERS:
        raise ValidationFailed(f"Unknown NFO filter {nfo!r}.", details={"nfo": ['only "missing"']})
    if nfo == "missing":
        # As last read from disk (NfoState); a series never looked at counts as missing.
        queryset = queryset.exclude(nfo_state__complete=True)
    ordering = params.get("ordering") or "name"
    if ordering not in ORDERINGS:
        raise ValidationFailed(
            f"Unknown ordering {ordering!r}.",
            details={"ordering": [f"one of {', '.join(sorted(ORDERINGS))}"]},
        )
    return queryset.order_by(ordering, "name", "id")


@extend_schema(
    methods=["GET"],
    parameters=[
        OpenApiParameter("search", str),
        OpenApiParameter("missing", bool),
        OpenApiParameter("nfo", str, enum=["missing"], description="series lacking a complete NFO"),
        OpenApiParameter("ordering", str, enum=sorted(ORDERINGS)),
        OpenApiParameter("page", int),
        OpenApiParameter("page_size", int),
    ],
    responses=SeriesPageSerializer,
)
@extend_schema(
    methods=["POST"], request=AddSeriesSerializer, responses={201: SeriesDetailSerializer}
)
@api_view(["GET", "POST"])
def anime_collection(request):
    if request.method == "POST":
        return add_series(request)
    paginator = Pagination()
    page = paginator.paginate_queryset(library_queryset(request.query_params), request)
    return paginator.get_paginated_response(SeriesListSerializer(page, many=True).data)


def add_series(request):
    data = validated(AddSeriesSerializer, request)
    if data.get("url"):
        provider, key = provider_for_url(data["url"])
        site = provider.site
    else:
        site, key = data["site"], data["key"]
    series = catalog.add_series(site, key)
    series.refresh_from_db()
    return Response(detail_data(series), status=status.HTTP_201_CREATED)


def detail_data(series: Series) -> dict:
    series = Series.objects.prefetch_related(
        Prefetch("episodes", queryset=Episode.objects.order_by("season", "number"))
    ).get(id=series.id)
    context = {"wanted_mask": preferred_mask(), "language_order": preferred_order()}
    return SeriesDetailSerializer(series, context=context).data


@extend_schema(
    parameters=[
        OpenApiParameter("q", str, required=True),
        OpenApiParameter("site", str, enum=list(PROVIDERS)),
    ],
    responses=SearchResultSerializer(many=True),
)
@api_view(["GET"])
def search(request):
    query = search_text(request.query_params.get("q"), "q")
    if not query:
        raise ValidationFailed(
            "Say what to search for.", details={"q": ["This field is required."]}
        )
    if len(query) > 200:
        raise ValidationFailed(
            "The search is too long.", details={"q": ["200 characters at most."]}
        )
    site = request.query_params.get("site")
    providers = [get_provider(site)] if site else list(PROVIDERS.values())
    results, errors = [], []
    for provider in providers:
        try:
            results += provider.search(query)
        except RemoteError as exc:
            if site:
                raise
            errors.append(exc)
    if errors and not results:
        raise errors[0]
    in_library = set(
        Series.objects.filter(key__in=[r.key for r in results]).values_list("key", "site")
    )
    return Response(
        [
            {
                "key": r.key,
                "name": r.name,
                "site": r.site,
                "url": r.url,
                "year": r.year,
                "cover_url": r.cover_url,
                "in_library": (r.key, r.site) in in_library,
            }
            for r in results
        ]
    )


@extend_schema(
    methods=["DELETE"],
    parameters=[OpenApiParameter("delete_files", bool)],
    responses={204: None},
)
@extend_schema(methods=["GET"], responses=SeriesDetailSerializer)
@api_view(["GET", "DELETE"])
def anime_detail(request, key: str):
    series = catalog.get_series(key)
    if request.method == "DELETE":
        catalog.delete_series(series, delete_files=truthy(request.query_params.get("delete_files")))
        return Response(status=status.HTTP_204_NO_CONTENT)
    return Response(detail_data(series))


@extend_schema(request=RescanSerializer, responses={202: ScanRunSerializer})
@api_view(["POST"])
def rescan_all(request):
    data = validated(RescanSerializer, request)
    run = scanning.start_scan(remote=data["remote"])
    run.refresh_from_db()
    return Response(ScanRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(
    operation_id="anime_rescan_series",
    request=RescanSerializer,
    responses={202: ScanRunSerializer},
)
@api_view(["POST"])
def rescan_series(request, key: str):
    data = validated(RescanSerializer, request)
    run = scanning.start_scan(key, remote=data["remote"])
    run.refresh_from_db()
    return Response(ScanRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(responses=OpenApiTypes.OBJECT)
@api_view(["GET"])
def scan_state(request):
    state = scanning.scan_state()
    return Response(
        {
            "running": ScanRunSerializer(state["running"]).data if state["running"] else None,
            "last": ScanRunSerializer(state["last"]).data if state["last"] else None,
        }
    )


@extend_schema(responses=OpenApiTypes.OBJECT)
@api_view(["GET"])
def missing(request):
    episodes = (
        Episode.objects.missing(preferred_mask())
        .select_related("series")
        .order_by("series__name", "series_id", "season", "number")
    )
    grouped: dict[int, dict] = {}
    count = 0
    for count, episode in enumerate(episodes, start=1):  # noqa: B007 - the count is wanted
        entry = grouped.setdefault(
            episode.series_id,
            {
                "key": episode.series.key,
                "name": episode.series.name,
                "site": episode.series.site,
                "episodes": [],
            },
        )
        entry["episodes"].append(MissingEpisodeSerializer(episode).data)
    return Response({"count": count, "series": list(grouped.values())})


@extend_schema(responses=UnmatchedFolderSerializer(many=True))
@api_view(["GET"])
def unmatched(request):
    return Response(importing.unmatched_folders())


@extend_schema(request=AttachSerializer, responses={201: SeriesDetailSerializer})
@api_view(["POST"])
def attach(request):
    data = validated(AttachSerializer, request)
    series = importing.attach_match(data["folder"], data["site"], data["key"])
    return Response(detail_data(series), status=status.HTTP_201_CREATED)


@extend_schema(request=AttachConfidentSerializer, responses=OpenApiTypes.OBJECT)
@api_view(["POST"])
def attach_confident(request):
    """Attach every unmatched folder whose best match is confident (see library.matching)."""
    data = validated(AttachConfidentSerializer, request)
    results = importing.attach_confident(dry_run=data["dry_run"])
    attached = [r for r in results if r["outcome"] == importing.Outcome.ATTACHED]
    return Response(
        {
            "dry_run": data["dry_run"],
            "attached": len(attached),
            "failed": sum(r["outcome"] == importing.Outcome.FAILED for r in results),
            "results": results,
        }
    )


@extend_schema(request=ImportSerializer, responses={202: ScanRunSerializer})
@api_view(["POST"])
def start_import(request):
    """Look up matches for every unmatched folder in the background (progress in room "scan")."""
    data = validated(ImportSerializer, request)
    run = importing.start_import(attach=data["attach_confident"])
    run.refresh_from_db()
    return Response(ScanRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(methods=["GET", "POST"], request=None, responses=OpenApiTypes.OBJECT)
@api_view(["GET", "POST"])
def rename_files(request, key: str):
    """GET: the renames the naming template asks for; POST: do them."""
    series = catalog.get_series(key)
    if request.method == "GET":
        plan = renaming.rename_plan(series)
        return Response(
            {
                "key": series.key,
                "count": sum(not r.problem for r in plan),
                "renames": [r.as_dict() for r in plan],
            }
        )
    renamed, refused = renaming.apply_renames(series)
    return Response(
        {
            "key": series.key,
            "renamed": [r.as_dict() for r in renamed],
            "refused": [r.as_dict() for r in refused],
        }
    )
