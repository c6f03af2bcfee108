from __future__ import annotations

from rest_framework import serializers

from aniworld.errors import AppError
from nfo.models import NfoState
from nfo.service import nfo_path


class MatchSerializer(serializers.Serializer):
    status = serializers.CharField(source="match_status")
    message = serializers.CharField(source="match_message")
    candidates = serializers.ListField(source="match_candidates", child=serializers.DictField())


class NfoStateSerializer(serializers.ModelSerializer):
    key = serializers.CharField(source="series.key")
    condition = serializers.CharField(help_text="complete, incomplete, invalid or missing")
    path = serializers.SerializerMethodField(help_text="absolute path of the tvshow.nfo")
    match = MatchSerializer(source="*")

    class Meta:
        model = NfoState
        fields = [
            "key",
            "exists",
            "complete",
            "condition",
            "missing_tags",
            "parse_error",
            "path",
            "updated_at",
            "written_at",
            "tmdb_id",
            "match",
            "artwork",
            "last_error",
            "error_code",
        ]

    def get_path(self, state: NfoState) -> str:
        try:
            return str(nfo_path(state.series))
        except AppError:
            return ""


class NfoRefreshSerializer(serializers.Serializer):
    force = serializers.BooleanField(default=False, help_text="replace artwork already on disk")
    tmdb_id = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,  # what the database column holds
        help_text="the TMDB series, set by hand (wins over matching)",
    )


class NfoBatchSerializer(serializers.Serializer):
    keys = serializers.ListField(
        child=serializers.SlugField(max_length=200),
        required=False,
        max_length=10000,
        help_text="series keys; absent or empty: every series lacking a complete NFO "
        "(with force: every series)",
    )
    force = serializers.BooleanField(default=False)
