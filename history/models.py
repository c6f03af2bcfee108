"""The event log: what happened to which episode, one row per event, never edited."""

from __future__ import annotations

from django.db import models


class Event(models.TextChoices):
    GRABBED = "grabbed", "Grabbed"
    IMPORTED = "imported", "Imported"
    FAILED = "failed", "Failed"
    DELETED = "deleted", "Deleted"
    RENAMED = "renamed", "Renamed"
    UPGRADED = "upgraded", "Language upgrade"


class ImmutableEvent(Exception):
    """History rows are written once; changing one would rewrite what happened."""


class HistoryEvent(models.Model):
    """One thing that happened: a grab (the worker started an item), an import (a file
    was placed), a failure (with each hoster's reason), a deletion, a rename or a
    language upgrade. Series are stored by key and name, not by foreign key, so the
    rows outlive the series they describe."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    event = models.CharField(max_length=20, choices=Event.choices)
    series_key = models.CharField(max_length=200, blank=True)
    series_name = models.CharField(max_length=300, blank=True)
    season = models.IntegerField(null=True, blank=True)
    episode = models.IntegerField(null=True, blank=True)
    language = models.CharField(max_length=20, blank=True)
    hoster = models.CharField(max_length=40, blank=True)
    file_path = models.CharField(max_length=1000, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["series_key", "-at"], name="history_series_at"),
            models.Index(fields=["event", "-at"], name="history_event_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.event} {self.series_key} {self.code}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ImmutableEvent("history events are never edited")
        super().save(*args, **kwargs)

    @property
    def code(self) -> str:
        if self.season is None or self.episode is None:
            return ""
        return f"S{self.season:02d}E{self.episode:02d}"
