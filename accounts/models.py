from __future__ import annotations

from django.db import models


class ApiKey(models.Model):
    """The installation's API key (one row): for the calendar feed and ``X-Api-Key``.

    Kept in the database rather than a file so every web process sees a new key
    at once.
    """

    key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"API key made {self.created_at:%Y-%m-%d %H:%M}"
