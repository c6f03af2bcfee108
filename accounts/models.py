"""What accounts keeps in the database: request counters and the login revocation time."""

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
