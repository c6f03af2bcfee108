from __future__ import annotations

from typing import Any

from rest_framework import serializers

from downloads.models import DownloadItem, Priority
from library.languages import LANGUAGE_BITS

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
    language = serializers.ChoiceField(
        choices=list(LANGUAGE_BITS), required=False, allow_blank=True
    )

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
