"""Which episodes air when: TMDB's air dates (``nfo.EpisodeMetadata``) with what is on disk.

The dates are TMDB's, stored under our season and episode numbers, so an episode
the index does not list yet is on the calendar too. The title is the index's
(German, else English: the one in the file name) where we have it, else TMDB's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from aniworld.errors import ValidationFailed
from library.models import Episode
from nfo.models import EpisodeMetadata

MAX_RANGE_DAYS = 366


class AiringStatus(StrEnum):
    DOWNLOADED = "downloaded"
    MISSING = "missing"  # aired, not on disk
    UPCOMING = "upcoming"  # not aired yet


@dataclass(frozen=True)
class CalendarEntry:
    series_key: str
    series_name: str
    season: int
    episode: int
    title: str
    air_date: date
    is_downloaded: bool
    plot: str = ""

    def status(self, today: date) -> AiringStatus:
        if self.is_downloaded:
            return AiringStatus.DOWNLOADED
        return AiringStatus.UPCOMING if self.air_date > today else AiringStatus.MISSING

    @property
    def code(self) -> str:
        return f"S{self.season:02d}E{self.episode:02d}"

    def as_dict(self) -> dict:
        return {
            "series_key": self.series_key,
            "series_name": self.series_name,
            "season": self.season,
            "episode": self.episode,
            "title": self.title,
            "air_date": self.air_date.isoformat(),
            "is_downloaded": self.is_downloaded,
        }


def today() -> date:
    return timezone.localdate()


def parse_day(value: str | None, name: str) -> date | None:
    """A YYYY-MM-DD query parameter; None when absent, 422 when not a date."""
    if value is None or value == "":
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(
            f"{name} must be a date as YYYY-MM-DD, not {value[:40]!r}.",
            details={name: ["not a date (YYYY-MM-DD)"]},
        ) from None


def date_range(start: str | None, end: str | None, *, default_days: int = 7) -> tuple[date, date]:
    """The inclusive range the request asks for: start defaults to today, end to a week on."""
    first = parse_day(start, "start") or today()
    last = parse_day(end, "end") or first + timedelta(days=default_days - 1)
    if last < first:
        raise ValidationFailed("end must not be before start.", details={"end": ["before start"]})
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        raise ValidationFailed(
            f"The range may cover at most {MAX_RANGE_DAYS} days.",
            details={"end": [f"more than {MAX_RANGE_DAYS} days after start"]},
        )
    return first, last


def entries(first: date, last: date) -> list[CalendarEntry]:
    """Every episode airing from ``first`` to ``last`` (inclusive), by day, series, number."""
    ours = Episode.objects.filter(
        series=OuterRef("series"), season=OuterRef("season"), number=OuterRef("episode")
    )
    rows = (
        EpisodeMetadata.objects.filter(air_date__range=(first, last))
        .annotate(
            is_downloaded=Exists(ours.filter(is_downloaded=True)),
            index_title=Subquery(ours.values("title")[:1]),
            index_title_en=Subquery(ours.values("title_en")[:1]),
        )
        .select_related("series")
        .order_by("air_date", "series__name", "season", "episode")
    )
    return [
        CalendarEntry(
            series_key=row.series.key,
            series_name=row.series.name,
            season=row.season,
            episode=row.episode,
            title=row.index_title or row.index_title_en or row.name,
            air_date=row.air_date,
            is_downloaded=row.is_downloaded,
            plot=row.overview,
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Day:
    day: date
    entries: list[CalendarEntry]


def by_day(items: list[CalendarEntry]) -> list[Day]:
    days: dict[date, list[CalendarEntry]] = {}
    for item in items:
        days.setdefault(item.air_date, []).append(item)
    return [Day(day, listed) for day, listed in days.items()]
