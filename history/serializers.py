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
