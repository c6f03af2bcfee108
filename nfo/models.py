from __future__ import annotations

from django.db import models


class MatchStatus(models.TextChoices):
    """How a series got (or did not get) its TMDB id.

    ``unmatched`` → ``matched`` | ``manual`` | ``ambiguous`` | ``not_found`` | ``error``;
    any of them → ``manual`` when the owner sets the id by hand; ``manual`` → ``error``
    when TMDB has no series with that id (the next refresh then matches afresh).
    """

    UNMATCHED = "unmatched", "Not matched yet"
    MATCHED = "matched", "Matched"
    MANUAL = "manual", "Set by hand"
    AMBIGUOUS = "ambiguous", "Ambiguous"
    NOT_FOUND = "not_found", "Not found on TMDB"
    ERROR = "error", "Error"


# Statuses the owner has to resolve: refreshing again would fail the same way.
NEEDS_OWNER = (MatchStatus.AMBIGUOUS, MatchStatus.NOT_FOUND)


class Condition(models.TextChoices):
    """What the tvshow.nfo on disk is like (derived from the fields below)."""

    COMPLETE = "complete", "Complete"
    INCOMPLETE = "incomplete", "Tags missing"
    INVALID = "invalid", "Unreadable"
    MISSING = "missing", "No tvshow.nfo"


class NfoState(models.Model):
    """What we know about a series' tvshow.nfo, its TMDB match and its artwork.

    ``exists``/``complete``/``missing_tags``/``parse_error`` describe the file as last
    read; ``tmdb_gaps`` are the required tags TMDB had no data for when we last
    wrote the file, so a repair does not ask TMDB again for what it does not have.
    """

    series = models.OneToOneField(
        "library.Series", on_delete=models.CASCADE, related_name="nfo_state"
    )
    exists = models.BooleanField(default=False)
    complete = models.BooleanField(default=False)
    missing_tags = models.JSONField(default=list, blank=True)
    parse_error = models.TextField(blank=True, help_text="why the file cannot be read")
    tmdb_gaps = models.JSONField(default=list, blank=True)
    tmdb_id = models.PositiveIntegerField(null=True, blank=True)
    match_status = models.CharField(
        max_length=20, choices=MatchStatus.choices, default=MatchStatus.UNMATCHED
    )
    match_message = models.TextField(blank=True)
    match_candidates = models.JSONField(default=list, blank=True)
    artwork = models.JSONField(default=dict, blank=True, help_text="the last artwork report")
    last_error = models.TextField(blank=True)
    error_code = models.CharField(max_length=50, blank=True)
    written_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "NFO state"
        indexes = [models.Index(fields=["complete"])]

    def __str__(self) -> str:
        return f"NFO of {self.series_id} ({self.condition})"

    @property
    def condition(self) -> Condition:
        if not self.exists:
            return Condition.MISSING
        if self.parse_error:
            return Condition.INVALID
        return Condition.COMPLETE if self.complete else Condition.INCOMPLETE

    @property
    def needs_owner(self) -> bool:
        return self.match_status in NEEDS_OWNER


class EpisodeMetadata(models.Model):
    """TMDB's data for one episode, under OUR season and episode numbers.

    Kept apart from ``library.Episode``: the index refresh deletes episodes it no
    longer lists, while TMDB often announces episodes (with air dates) before the
    index has them, and the calendar must show those too. ``tmdb_season`` and
    ``tmdb_episode`` say where the data came from (see ``nfo.season_mapping``).
    """

    series = models.ForeignKey(
        "library.Series", on_delete=models.CASCADE, related_name="episode_metadata"
    )
    season = models.PositiveSmallIntegerField()
    episode = models.PositiveSmallIntegerField()
    tmdb_id = models.PositiveIntegerField(null=True, blank=True)
    tmdb_season = models.PositiveSmallIntegerField()
    tmdb_episode = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=500, blank=True)
    overview = models.TextField(blank=True)
    air_date = models.DateField(null=True, blank=True)
    runtime = models.PositiveSmallIntegerField(null=True, blank=True)
    still_path = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["series", "season", "episode"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "season", "episode"], name="unique_metadata_per_episode"
            )
        ]
        indexes = [models.Index(fields=["air_date"], name="episode_metadata_air_date")]

    def __str__(self) -> str:
        return f"TMDB data of {self.series_id} S{self.season:02d}E{self.episode:02d}"
