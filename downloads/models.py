from __future__ import annotations

from django.db import models
from django.db.models import Q

from library.models import Episode


class Status(models.TextChoices):
    PENDING = "pending", "Pending"
    DOWNLOADING = "downloading", "Downloading"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Priority(models.IntegerChoices):
    HIGH = 0, "high"
    NORMAL = 1, "normal"
    LOW = 2, "low"


ACTIVE_STATUSES = (Status.PENDING, Status.DOWNLOADING)

# Every allowed change of status; ``downloads.queue.transition`` refuses the rest.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PENDING: frozenset({Status.DOWNLOADING, Status.CANCELLED}),
    Status.DOWNLOADING: frozenset(
        {Status.COMPLETED, Status.FAILED, Status.CANCELLED, Status.PENDING}
    ),
    Status.FAILED: frozenset({Status.PENDING, Status.CANCELLED}),
    Status.COMPLETED: frozenset(),
    Status.CANCELLED: frozenset(),
}


class DownloadItem(models.Model):
    """One episode in the download queue.

    Allowed transitions (enforced in ``downloads.queue.transition``):

    - pending → downloading       the worker claims it (one item at a time)
    - pending → cancelled         removed before it started
    - downloading → completed     the file is in the library
    - downloading → failed        every hoster failed; ``error`` says why
    - downloading → cancelled     cancelled while downloading: the cancel writes it, the
                                  worker only removes the partial files
    - downloading → pending       stop, shutdown, or a crash found at the next start
    - failed → pending            retry
    - failed → cancelled          given up by the user

    ``started_at``, set by the claim, identifies it: a worker changes the item only
    while it is still downloading with the ``started_at`` of its own claim, so a
    worker whose item a restart returned to the queue (or another run claimed)
    writes nothing.

    ``file_path`` is written just before the finished file is moved into the
    library, so a run killed between the move and ``completed`` finds the file
    there as its own when the item runs again.

    completed and cancelled are final. At most one item per episode is pending
    or downloading (a partial unique constraint), and at most one item is
    downloading at all (the worker's claim).
    """

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="downloads")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    position = models.PositiveIntegerField(default=0, help_text="order within a priority")
    language = models.CharField(
        max_length=20, blank=True, help_text="wanted language; empty: the owner's order"
    )
    upgrade = models.BooleanField(
        default=False, help_text="replace the file on disk once the new one is complete"
    )
    percent = models.FloatField(default=0)
    downloaded_bytes = models.BigIntegerField(default=0)
    total_bytes = models.BigIntegerField(null=True, blank=True)
    speed_bps = models.FloatField(null=True, blank=True)
    eta_seconds = models.FloatField(null=True, blank=True)
    stage = models.CharField(
        max_length=20, blank=True, help_text="resolving, downloading, retrying, remuxing …"
    )
    stage_message = models.CharField(
        max_length=500, blank=True, help_text="what happens now, for a person to read"
    )
    hoster = models.CharField(max_length=40, blank=True)
    downloaded_language = models.CharField(max_length=20, blank=True)
    error = models.TextField(blank=True)
    # "CHALLENGE" when every link was blocked by a check only a person can pass.
    error_code = models.CharField(max_length=40, blank=True)
    # With CHALLENGE: the site's redirect links ``[{hoster, language, url}]`` to open by hand.
    links = models.JSONField(default=list, blank=True)
    # The hoster page the owner reached past the check; the worker tries it first.
    user_link_url = models.URLField(max_length=2000, blank=True)
    user_link_hoster = models.CharField(
        max_length=40, blank=True, help_text="empty: recognised from the page"
    )
    retry_count = models.PositiveIntegerField(default=0)
    file_path = models.CharField(max_length=1000, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["priority", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode"],
                condition=Q(status__in=["pending", "downloading"]),
                name="one_active_download_per_episode",
            )
        ]
        indexes = [models.Index(fields=["status", "priority", "position", "id"])]

    def __str__(self) -> str:
        return f"{self.episode} ({self.status})"

    @property
    def progress(self) -> dict:
        return {
            "percent": round(self.percent, 1),
            "downloaded_bytes": self.downloaded_bytes,
            "total_bytes": self.total_bytes,
            "speed_bps": self.speed_bps,
            "eta_seconds": self.eta_seconds,
            # Only a running download has a stage; a crash may have left one behind.
            "stage": self.stage if self.status == Status.DOWNLOADING else "",
            "message": self.stage_message if self.status == Status.DOWNLOADING else "",
        }


class QueueState(models.Model):
    """The single row saying whether the queue runs (survives restarts)."""

    is_running = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "running" if self.is_running else "stopped"

    @classmethod
    def get(cls) -> QueueState:
        state, _ = cls.objects.get_or_create(id=1)
        return state


class HosterAttempt(models.Model):
    """One try of one hoster link by the worker: the record behind hoster success rates."""

    hoster = models.CharField(max_length=40)
    item = models.ForeignKey(
        DownloadItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="attempts"
    )
    succeeded = models.BooleanField()
    error = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["hoster", "-id"])]

    def __str__(self) -> str:
        return f"{self.hoster} {'ok' if self.succeeded else 'failed'} at {self.at}"
