"""Records of the jobs the app runs on its own schedule (or when asked to "run now")."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Job(models.TextChoices):
    RESCAN = "rescan", "Daily rescan"
    NEW_EPISODES = "new_episodes", "New-episode watch"
    BACKUP = "backup", "Scheduled backup"


class Trigger(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    MANUAL = "manual", "Run now"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class JobRun(models.Model):
    """One run of a scheduled job: when it started and ended, what it did, what went wrong.

    Allowed transitions: running → completed | failed (``system.scheduler.finish_run``);
    a run left running by a crash becomes failed at the next start. At most one
    run of each job is running at a time (a partial unique constraint), which is
    what refuses a second "run now" with 409.
    """

    job = models.CharField(max_length=20, choices=Job.choices)
    trigger = models.CharField(max_length=20, choices=Trigger.choices, default=Trigger.SCHEDULE)
    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["job"], condition=Q(status="running"), name="one_running_run_per_job"
            )
        ]
        indexes = [models.Index(fields=["job", "-started_at"], name="jobrun_job_latest")]

    def __str__(self) -> str:
        return f"{self.job} run {self.id} ({self.status})"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return round((self.finished_at - self.started_at).total_seconds(), 3)
