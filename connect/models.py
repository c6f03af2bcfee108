"""What the System page shows about media servers and notifications, and the last
known state of each health check (so a problem is announced once, not at every poll)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class TargetStatus(models.Model):
    """The last outcome of telling one target: ``media:<server name>`` or ``notify``."""

    target = models.CharField(max_length=200, unique=True)
    ok = models.BooleanField()
    message = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["target"]

    def __str__(self) -> str:
        return f"{self.target}: {'ok' if self.ok else 'failed'}"

    @classmethod
    def record(cls, target: str, ok: bool, message: str) -> None:
        cls.objects.update_or_create(
            target=target, defaults={"ok": ok, "message": message[:2000], "at": timezone.now()}
        )


class HealthState(models.Model):
    """The last status (``ok``/``error``) a health check reported."""

    name = models.CharField(max_length=50, unique=True)
    status = models.CharField(max_length=10)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name}: {self.status}"
