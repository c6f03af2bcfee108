from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from rest_framework import serializers

from aniworld.languages import Language
from downloads.hosters import EXTRACTORS, canonical_name
from downloads.models import DownloadItem, Priority

PRIORITY_NAMES = {value: label for value, label in Priority.choices}
PRIORITY_VALUES = {label: value for value, label in Priority.choices}


def item_data(item: DownloadItem) -> dict[str, Any]:
    """A queue item as DESIGN.md's API and WebSocket messages show it."""
    episode = item.episode
    series = episode.series
    return {
        "id": item.id,
        "series_key": series.key,
        "series_name": series.name,
        "season": episode.season,
        "episode": episode.number,
        "title": episode.title or episode.title_en,
        "language": item.downloaded_language or item.language,
        "status": item.status,
        "priority": PRIORITY_NAMES[item.priority],
        "position": item.position,
        "progress": item.progress,
        "hoster": item.hoster,
        "error": item.error,
        "error_code": item.error_code,
        "links": item.links or [],
        "retry_count": item.retry_count,
        "added_at": item.added_at.isoformat() if item.added_at else None,
        "started_at": item.started_at.isoformat() if item.started_at else None,
        "completed_at": item.completed_at.isoformat() if item.completed_at else None,
        "file_path": item.file_path,
    }


def progress_event(item: DownloadItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "series_key": item.episode.series.key,
        "season": item.episode.season,
        "episode": item.episode.number,
        "hoster": item.hoster,
        "progress": item.progress,
    }


class EpisodeCodeSerializer(serializers.Serializer):
    season = serializers.IntegerField(min_value=0, max_value=9999)
    episode = serializers.IntegerField(min_value=0, max_value=99999)


class AddSerializer(serializers.Serializer):
    series_key = serializers.SlugField(max_length=200)
    episodes = EpisodeCodeSerializer(many=True, required=False)
    all_missing = serializers.BooleanField(required=False, default=False)
    priority = serializers.ChoiceField(choices=list(PRIORITY_VALUES), default="normal")
    language = serializers.ChoiceField(choices=list(Language), required=False, allow_blank=True)

    def validate(self, data):
        if not data.get("episodes") and not data.get("all_missing"):
            raise serializers.ValidationError(
                {"episodes": ["List episodes, or set all_missing to true."]}
            )
        if len(data.get("episodes") or []) > 5000:
            raise serializers.ValidationError({"episodes": ["5000 episodes at most at once."]})
        return data


class ReorderSerializer(serializers.Serializer):
    item_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), max_length=10000)


class PrioritySerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=list(PRIORITY_VALUES))


class UserLinkSerializer(serializers.Serializer):
    """``POST /api/queue/{id}/link``: the hoster page the owner reached past a check."""

    url = serializers.CharField(max_length=2000, trim_whitespace=True)
    hoster = serializers.CharField(max_length=40, required=False, allow_blank=True, allow_null=True)

    def validate_url(self, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or " " in value:
            raise serializers.ValidationError(
                "Paste the full address of the video page, starting with http:// or https://."
            )
        return value

    def validate_hoster(self, value: str | None) -> str:
        if not value:
            return ""
        name = canonical_name(value)
        if name is None:
            raise serializers.ValidationError(
                f"Unknown hoster {value!r}; known are {', '.join(EXTRACTORS)} "
                "(or leave it out to have it recognised)."
            )
        return name


class HosterSerializer(serializers.Serializer):
    """One hoster's record in ``GET /api/hosters``."""

    name = serializers.CharField()
    attempts = serializers.IntegerField()
    succeeded = serializers.IntegerField()
    success_rate = serializers.FloatField(allow_null=True)
    last_error = serializers.CharField()
    last_success_at = serializers.DateTimeField(allow_null=True)


class QueueItemSerializer(serializers.Serializer):
    """Documents the shape of ``item_data`` for the OpenAPI schema."""

    id = serializers.IntegerField()
    series_key = serializers.CharField()
    series_name = serializers.CharField()
    season = serializers.IntegerField()
    episode = serializers.IntegerField()
    title = serializers.CharField()
    language = serializers.CharField()
    status = serializers.CharField()
    priority = serializers.CharField()
    position = serializers.IntegerField()
    progress = serializers.DictField()
    hoster = serializers.CharField()
    error = serializers.CharField()
    error_code = serializers.CharField()
    links = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))
    retry_count = serializers.IntegerField()
    added_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    file_path = serializers.CharField()


class QueueStatusSerializer(serializers.Serializer):
    is_running = serializers.BooleanField()
    active = QueueItemSerializer(allow_null=True)
    pending = QueueItemSerializer(many=True)
    completed = QueueItemSerializer(many=True)
    failed = QueueItemSerializer(many=True)
    stats = serializers.DictField(child=serializers.IntegerField())
