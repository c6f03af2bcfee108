"""Progress of the NFO jobs (repair scan, batch) for pages and WebSocket clients.

The WebSocket protocol has a single event type for NFO work, ``nfo_progress``;
the stage (started, progress, completed, failed) and the job ("repair" or
"batch") travel in its data. The last state of each job is kept in the cache,
which the worker and the web process share, so a page can poll it.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.utils import timezone

from aniworld.progress import ProgressReporter, publish

ROOM = "nfo"
EVENT_TYPE = "nfo_progress"
RUNNING_STAGES = ("queued", "started", "progress")
# A job whose worker died must not look "running" forever.
JOB_STATE_SECONDS = 6 * 3600


def _cache_key(job: str) -> str:
    return f"nfo:job:{job}"


def last_job(job: str) -> dict[str, Any] | None:
    return cache.get(_cache_key(job))


def is_running(state: dict[str, Any] | None) -> bool:
    return bool(state) and state.get("stage") in RUNNING_STAGES


def mark_queued(job: str, total: int) -> None:
    """Show a job as running from the moment it is queued, before a worker picks it up."""
    state = {"job": job, "stage": "queued", "total": total, "done": 0}
    cache.set(
        _cache_key(job), {**state, "updated_at": timezone.now().isoformat()}, JOB_STATE_SECONDS
    )


class NfoProgress(ProgressReporter):
    """A ``ProgressReporter`` for one NFO job that speaks in ``nfo_progress`` events."""

    def __init__(self, job: str):
        super().__init__(ROOM, "nfo", persist=self._persist)
        self.job = job

    def _persist(self, stage: str, data: dict[str, Any]) -> None:
        state = {**data, "updated_at": timezone.now().isoformat()}
        cache.set(_cache_key(self.job), state, timeout=JOB_STATE_SECONDS)

    def _report(self, stage: str, data: dict[str, Any]) -> None:
        data = {"job": self.job, "stage": stage, **data}
        self.persist(stage, data)
        publish(self.room, EVENT_TYPE, data)
