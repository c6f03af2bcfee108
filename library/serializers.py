from __future__ import annotations

from rest_framework import serializers

from aniworld.languages import Language
from library.languages import is_upgrade, preferred_mask
from library.models import Episode, ScanRun, Series, Site

SERIES_FIELDS = [
    "key",
    "name",
    "site",
    "folder",
    "year",
    "year_end",
    "cover_url",
    "genres",
    "state",
    "error",
    "tmdb_id",
    "imdb_id",
    "provider_url",
    "created_at",
    "updated_at",
    "refreshed_at",
]


class SeriesListSerializer(serializers.ModelSerializer):
    provider_url = serializers.CharField(source="site_url", read_only=True)
    episode_count = serializers.IntegerField(read_only=True)
    downloaded_count = serializers.IntegerField(read_only=True)
    missing_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Series
        fields = [*SERIES_FIELDS, "episode_count", "downloaded_count", "missing_count"]


class SeriesPageSerializer(serializers.Serializer):
    """One page of the library, as ``aniworld.api.Pagination`` wraps it."""

    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = SeriesListSerializer(many=True)


class EpisodeSerializer(serializers.ModelSerializer):
    episode = serializers.IntegerField(source="number")
    languages = serializers.ListField(child=serializers.CharField())
    available = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()
    upgrade_available = serializers.SerializerMethodField()

    class Meta:
        model = Episode
        fields = [
            "season",
            "episode",
            "title",
            "title_en",
            "languages",
            "available",
            "is_downloaded",
            "missing",
            "upgrade_available",
            "file_path",
            "downloaded_language",
            "file_size",
        ]

    def get_available(self, episode: Episode) -> bool:
        return episode.language_mask != 0

    def get_missing(self, episode: Episode) -> bool:
        return not episode.is_downloaded and bool(episode.language_mask & self._wanted_mask())

    def get_upgrade_available(self, episode: Episode) -> bool:
        return episode.is_downloaded and is_upgrade(
            episode.downloaded_language, episode.languages, self.context.get("language_order")
        )

    def _wanted_mask(self) -> int:
        return self.context.get("wanted_mask") or preferred_mask()


class SeasonSerializer(serializers.Serializer):
    season = serializers.IntegerField()
    episodes = EpisodeSerializer(many=True)


class SeriesDetailSerializer(serializers.ModelSerializer):
    provider_url = serializers.CharField(source="site_url", read_only=True)
    seasons = serializers.SerializerMethodField()

    class Meta:
        model = Series
        fields = [
            *SERIES_FIELDS,
            "description",
            "alternative_titles",
            "fsk",
            "seasons",
        ]

    def get_seasons(self, series: Series) -> list[dict]:
        by_season: dict[int, list[Episode]] = {}
        for episode in series.episodes.all():
            by_season.setdefault(episode.season, []).append(episode)
        return [
            {
                "season": season,
                "episodes": EpisodeSerializer(episodes, many=True, context=self.context).data,
            }
            for season, episodes in sorted(by_season.items())
        ]


class AddSeriesSerializer(serializers.Serializer):
    key = serializers.SlugField(required=False, max_length=200)
    site = serializers.ChoiceField(choices=Site.choices, required=False, default=Site.ANIWORLD)
    url = serializers.CharField(required=False, max_length=500)

    def validate(self, data):
        if not data.get("key") and not data.get("url"):
            raise serializers.ValidationError({"key": ["Give a series key and site, or a url."]})
        return data


class AttachSerializer(serializers.Serializer):
    folder = serializers.CharField(max_length=255)
    key = serializers.SlugField(max_length=200)
    site = serializers.ChoiceField(choices=Site.choices)


class RescanSerializer(serializers.Serializer):
    remote = serializers.BooleanField(required=False, default=True)


class SearchResultSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    site = serializers.CharField()
    url = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    cover_url = serializers.CharField(allow_null=True)
    in_library = serializers.BooleanField()


class ScanRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScanRun
        fields = [
            "id",
            "kind",
            "series_key",
            "remote",
            "status",
            "total",
            "done",
            "current",
            "summary",
            "errors",
            "started_at",
            "finished_at",
        ]


class FolderMatchSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    site = serializers.CharField()
    url = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    imdb_id = serializers.CharField(help_text='"" when unknown')
    confidence = serializers.FloatField(help_text="0 to 1")
    reason = serializers.CharField(help_text='e.g. "IMDb id tt2560140 matches"')
    confident = serializers.BooleanField(help_text="attached by attach-confident")
    in_library = serializers.BooleanField(help_text="the series has a folder already")


class UnmatchedFolderSerializer(serializers.Serializer):
    folder = serializers.CharField()
    episodes = serializers.IntegerField(help_text="episode files recognised in it")
    matches = FolderMatchSerializer(many=True, help_text="most likely first")
    looked_up = serializers.BooleanField(help_text="false: matches not looked up yet")
    confidence = serializers.FloatField(allow_null=True, help_text="of the best match")
    reason = serializers.CharField(help_text="of the best match")
    confident = serializers.BooleanField(help_text="the best match is confident")


class AttachConfidentSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField(required=False, default=False)


class ImportSerializer(serializers.Serializer):
    attach_confident = serializers.BooleanField(required=False, default=False)


class MissingEpisodeSerializer(serializers.Serializer):
    season = serializers.IntegerField()
    episode = serializers.IntegerField(source="number")
    title = serializers.CharField()
    languages = serializers.ListField(child=serializers.ChoiceField(choices=list(Language)))
