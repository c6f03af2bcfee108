from __future__ import annotations

from urllib.parse import urlsplit

from rest_framework import serializers

from aniworld.languages import Language
from downloads.hosters import EXTRACTORS, canonical_name
from downloads.models import DownloadItem, Priority

PRIORITY_NAMES = {value: label for value, label in Priority.choices}
PRIORITY_VALUES = {label: value for value, label in Priority.choices}


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


class IsoDateTimeField(serializers.DateTimeField):
    """A moment as ``datetime.isoformat`` writes it (``…+00:00``): DRF's own form
    would move it to the active time zone and write ``Z``."""

    def to_representation(self, value):
        return value.isoformat()


# The one declaration of a queue item's fields (DESIGN.md): the API answers with it, the
# download events carry it (``downloads.events.item_data``), the OpenAPI schema shows it.
class QueueItemSerializer(serializers.Serializer):
    """An episode in the download queue."""

    id = serializers.IntegerField()
    series_key = serializers.CharField(source="episode.series.key")
    series_name = serializers.CharField(source="episode.series.name")
    season = serializers.IntegerField(source="episode.season")
    episode = serializers.IntegerField(source="episode.number")
    title = serializers.SerializerMethodField()
    language = serializers.SerializerMethodField()
    status = serializers.CharField()
    priority = serializers.SerializerMethodField()
    position = serializers.IntegerField()
    progress = serializers.DictField()
    hoster = serializers.CharField()
    error = serializers.CharField()
    error_code = serializers.CharField()
    links = serializers.SerializerMethodField()
    retry_count = serializers.IntegerField()
    added_at = IsoDateTimeField()
    started_at = IsoDateTimeField(allow_null=True)
    completed_at = IsoDateTimeField(allow_null=True)
    file_path = serializers.CharField()

    def get_title(self, item: DownloadItem) -> str:
        """The episode's title; the English one when it has no other."""
        return item.episode.title or item.episode.title_en

    def get_language(self, item: DownloadItem) -> str:
        """The language it was downloaded in, else the one it asks for (empty: any)."""
        return item.downloaded_language or item.language

    def get_priority(self, item: DownloadItem) -> str:
        return PRIORITY_NAMES[item.priority]

    def get_links(self, item: DownloadItem) -> list[dict[str, str]]:
        return item.links or []


class QueueStatusSerializer(serializers.Serializer):
    is_running = serializers.BooleanField()
    active = QueueItemSerializer(allow_null=True)
    pending = QueueItemSerializer(many=True)
    completed = QueueItemSerializer(many=True)
    failed = QueueItemSerializer(many=True)
    stats = serializers.DictField(child=serializers.IntegerField())
