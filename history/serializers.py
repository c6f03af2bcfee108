from rest_framework import serializers

from history.models import HistoryEvent


class HistoryEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = HistoryEvent
        fields = [
            "id",
            "at",
            "event",
            "series_key",
            "season",
            "episode",
            "language",
            "hoster",
            "file_path",
            "message",
        ]


class HistoryPageSerializer(serializers.Serializer):
    """One page of the history, as ``aniworld.api.Pagination`` wraps it."""

    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = HistoryEventSerializer(many=True)
