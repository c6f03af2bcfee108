from __future__ import annotations

from django.db import models
from django.db.models import F, Func, OuterRef, Q, Subquery, Value
from django.db.models.lookups import GreaterThan

from aniworld import mirrors
from library.languages import languages_of, mask_of


class Site(models.TextChoices):
    ANIWORLD = "aniworld.to", "aniworld.to"
    STO = "s.to", "s.to"


class SeriesState(models.TextChoices):
    LOADING = "loading", "Loading episodes"
    READY = "ready", "Ready"
    SCANNING = "scanning", "Scanning"
    ERROR = "error", "Error"


class SeriesQuerySet(models.QuerySet):
    def with_counts(self, wanted_mask: int):
        """Annotate ``episode_count``, ``downloaded_count`` and ``missing_count``.

        Missing = offered in a language the owner wants (``wanted_mask``) and not on disk.
        Each count is a subquery, not a join: a page of the library then counts the
        episodes of its own series only, and ``count()`` leaves the counts out.
        """
        episodes = Episode.objects.filter(series=OuterRef("pk"))
        return self.annotate(
            episode_count=_count(episodes),
            downloaded_count=_count(episodes.filter(is_downloaded=True)),
            missing_count=_count(
                Episode.objects.missing(wanted_mask).filter(series=OuterRef("pk"))
            ),
        )


def _count(queryset: models.QuerySet) -> Subquery:
    """``SELECT COUNT(*)`` of a queryset, as a subquery: one row, 0 when it matches nothing."""
    return Subquery(
        queryset.order_by().annotate(count=Func(Value(1), function="COUNT")).values("count"),
        output_field=models.IntegerField(),
    )


class Series(models.Model):
    """A series in the library, as the index site describes it and as it sits on disk."""

    key = models.SlugField(max_length=200, unique=True, help_text="the index site's key")
    site = models.CharField(max_length=20, choices=Site.choices, default=Site.ANIWORLD)
    name = models.CharField(max_length=300)
    folder = models.CharField(max_length=255, unique=True, help_text="folder in the library root")
    year = models.PositiveIntegerField(null=True, blank=True)
    year_end = models.PositiveIntegerField(null=True, blank=True)
    description = models.TextField(blank=True)
    cover_url = models.URLField(max_length=500, blank=True)
    genres = models.JSONField(default=list, blank=True)
    alternative_titles = models.JSONField(default=list, blank=True)
    fsk = models.PositiveSmallIntegerField(null=True, blank=True)
    imdb_id = models.CharField(max_length=20, blank=True)
    tmdb_id = models.PositiveIntegerField(null=True, blank=True)
    # Site-relative ("/anime/stream/<key>"), so a change of mirror breaks nothing;
    # rows from before mirrors may still hold an absolute URL.
    provider_url = models.URLField(max_length=500, blank=True)
    state = models.CharField(
        max_length=20, choices=SeriesState.choices, default=SeriesState.LOADING
    )
    error = models.TextField(blank=True, help_text="why the last refresh failed")
    refreshed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SeriesQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "series"
        indexes = [models.Index(fields=["name"]), models.Index(fields=["-created_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def site_url(self) -> str:
        """The series page on the mirror in use (what "Open on the site" links to)."""
        if not self.provider_url.startswith("/"):
            return self.provider_url
        return mirrors.book(self.site).in_use() + self.provider_url


class EpisodeQuerySet(models.QuerySet):
    def missing(self, wanted_mask: int):
        """Offered in a language the owner wants, and not on disk."""
        return self.filter(is_downloaded=False).filter(
            GreaterThan(F("language_mask").bitand(wanted_mask), 0)
        )

    def upgradable(self, order: list[str]):
        """On disk in a language while one the owner ranks higher is offered
        (the query form of ``languages.is_upgrade``)."""
        condition = Q(pk__in=[])
        for rank in range(1, len(order) + 1):
            better = mask_of(order[:rank])
            current = (
                Q(downloaded_language=order[rank])
                if rank < len(order)
                else ~Q(downloaded_language__in=order) & ~Q(downloaded_language="")
            )
            condition |= current & Q(GreaterThan(F("language_mask").bitand(better), 0))
        return self.filter(is_downloaded=True).filter(condition)


class Episode(models.Model):
    """One episode (season 0 = films) with the languages the index offers it in."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="episodes")
    season = models.PositiveSmallIntegerField()
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=500, blank=True, help_text="German title")
    title_en = models.CharField(max_length=500, blank=True)
    url = models.URLField(max_length=500, blank=True)
    # Bit set of offered languages (library.languages); 0 = only announced, no links yet.
    language_mask = models.PositiveSmallIntegerField(default=0)
    is_downloaded = models.BooleanField(default=False)
    file_path = models.CharField(max_length=1000, blank=True, help_text="relative to the library")
    downloaded_language = models.CharField(max_length=20, blank=True)
    file_size = models.BigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["series", "season", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "season", "number"], name="unique_episode_per_series"
            )
        ]
        indexes = [
            models.Index(
                fields=["series", "language_mask"],
                condition=Q(is_downloaded=False),
                name="episode_not_downloaded",
            )
        ]

    def __str__(self) -> str:
        return f"{self.series.name} S{self.season:02d}E{self.number:02d}"

    @property
    def languages(self) -> list[str]:
        return languages_of(self.language_mask)

    @property
    def is_announced(self) -> bool:
        return self.language_mask == 0

    @property
    def code(self) -> str:
        return f"S{self.season:02d}E{self.number:02d}"


class ScanStatus(models.TextChoices):
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class ScanKind(models.TextChoices):
    SCAN = "scan", "Scan"
    IMPORT = "import", "Import of unmatched folders"


class ScanRun(models.Model):
    """One library scan (full or one series) or import of unmatched folders (``kind``):
    its progress while it runs, its result after."""

    kind = models.CharField(max_length=20, choices=ScanKind.choices, default=ScanKind.SCAN)
    series_key = models.CharField(max_length=200, blank=True, help_text="empty: full scan")
    remote = models.BooleanField(default=True, help_text="asked the index sites too")
    status = models.CharField(max_length=20, choices=ScanStatus.choices, default=ScanStatus.RUNNING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    current = models.CharField(max_length=300, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            # At most one scan runs at a time.
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="running"),
                name="one_running_scan",
            )
        ]

    def __str__(self) -> str:
        return f"scan {self.id} ({self.status})"
