"""What accounts keeps in the database: request counters, the login revocation time
and the installation's API key."""

from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    """Requests of one client in one fixed window (``ratelimit.hit``).

    The key names the scope, the client and the window, so a new window starts a
    new row; rows past ``expires_at`` are deleted when new ones are made.
    """

    key = models.CharField(max_length=255, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class LoginRevocation(models.Model):
    """One row: logins (tokens, sessions) issued before ``revoked_at`` are void."""

    revoked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"logins before {self.revoked_at.isoformat()} revoked"


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
