"""/api/config (settings and backups) and /api/scheduler."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from accounts import api_key
from aniworld.api import validated
from aniworld.errors import ValidationFailed
from aniworld.models import Job
from system import backups, config_changes, scheduler

CONFIG_DESCRIPTION = (
    "The settings in config.json's shape (never the password hash; the TMDB key is "
    "write-only: null on read, null in a change keeps it). `meta` lists keys fixed by "
    "environment variables (read-only) and a preview of the naming template. "
    "`api_key` is the installation's API key (read-only here)."
)


class BackupSerializer(serializers.Serializer):
    name = serializers.CharField()
    size = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    reason = serializers.CharField()
    includes_database = serializers.BooleanField()
    valid = serializers.BooleanField()


SCHEDULE_SECTIONS = ("scheduler", "new_episodes", "backup")


class RestoreSerializer(serializers.Serializer):
    database = serializers.BooleanField(
        default=False,
        help_text="also replace the database with the backup's copy (SQLite only)",
    )


class RunSerializer(serializers.Serializer):
    job = serializers.ChoiceField(choices=Job.values, default=Job.RESCAN.value)


@extend_schema(methods=["GET"], responses=OpenApiTypes.OBJECT, description=CONFIG_DESCRIPTION)
@extend_schema(
    methods=["PATCH"],
    request=OpenApiTypes.OBJECT,
    responses=OpenApiTypes.OBJECT,
    description="Merge a partial config (nested objects are merged); 422 per field.",
)
@api_view(["GET", "PATCH"])
def config_view(request):
    if request.method == "PATCH":
        return Response(with_api_key(config_changes.apply_change(without_api_key(request.data))))
    return Response(with_api_key(config_changes.public_config()))


def with_api_key(shaped: dict) -> dict:
    return {**shaped, "api_key": api_key.current_key()}


def without_api_key(data):
    """The change without ``api_key``: sending back what GET gave is harmless, another
    value is refused (the key is read-only here)."""
    if not isinstance(data, Mapping) or "api_key" not in data:
        return data
    if data["api_key"] != api_key.current_key():
        raise ValidationFailed(
            "The API key cannot be set; POST /api/config/api-key makes a new one.",
            details={"api_key": ["read-only"]},
        )
    return {key: value for key, value in data.items() if key != "api_key"}


@extend_schema(
    request=None,
    responses=OpenApiTypes.OBJECT,
    description="Make a new API key (`{api_key}`); the old one stops working at once.",
)
@api_view(["POST"])
def regenerate_api_key(request):
    return Response({"api_key": api_key.regenerate()})


@extend_schema(
    request=OpenApiTypes.OBJECT,
    responses=OpenApiTypes.OBJECT,
    description="Check a change without saving it: 200 with a naming preview, or 422 per field.",
)
@api_view(["POST"])
def validate_config(request):
    return Response(config_changes.validate_change(request.data))


@extend_schema(methods=["GET"], responses=BackupSerializer(many=True))
@extend_schema(methods=["POST"], request=None, responses={201: BackupSerializer})
@api_view(["GET", "POST"])
def backup_collection(request):
    if request.method == "POST":
        created = backups.create_backup(reason="manual")
        return Response(created.as_dict(), status=status.HTTP_201_CREATED)
    return Response([info.as_dict() for info in backups.list_backups()])


@extend_schema(request=RestoreSerializer, responses=OpenApiTypes.OBJECT)
@api_view(["POST"])
def restore_backup(request, name: str):
    data = validated(RestoreSerializer, request)
    outcome = backups.restore_backup(name, with_database=data["database"])
    config_changes.apply_side_effects()
    return Response(outcome)


@extend_schema(request=None, responses=OpenApiTypes.OBJECT)
@api_view(["DELETE"])
def delete_backup(request, name: str):
    backups.delete_backup(name)
    return Response({"deleted": name})


@extend_schema(methods=["GET"], responses=OpenApiTypes.OBJECT)
@extend_schema(
    methods=["PATCH"],
    request=OpenApiTypes.OBJECT,
    responses=OpenApiTypes.OBJECT,
    description='Change the schedules: {"scheduler": {…}, "new_episodes": {…}, "backup": {…}}.',
)
@api_view(["GET", "PATCH"])
def scheduler_view(request):
    if request.method == "PATCH":
        config_changes.apply_change(schedule_change(request.data))
    return Response(scheduler.overview())


def schedule_change(data) -> Mapping:
    if not isinstance(data, Mapping):
        raise ValidationFailed(
            "The change must be a JSON object.", details={"non_field_errors": ["not an object"]}
        )
    unknown = {key: ["not a schedule setting"] for key in data if key not in SCHEDULE_SECTIONS}
    if unknown:
        raise ValidationFailed(
            f"Only {', '.join(SCHEDULE_SECTIONS)} change here; the rest under /api/config.",
            details=unknown,
        )
    return data


@extend_schema(request=RunSerializer, responses={202: OpenApiTypes.OBJECT})
@api_view(["POST"])
def run_job(request):
    data = validated(RunSerializer, request)
    with transaction.atomic():
        run = scheduler.start_now(Job(data["job"]))
    return Response(scheduler.run_data(run), status=status.HTTP_202_ACCEPTED)
