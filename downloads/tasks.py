"""Entry points that django-q2 runs in the worker process."""

from __future__ import annotations

from downloads.worker import process_queue as run_queue


def process_queue() -> int:
    """Wake-up task: download until the queue is empty or stopped."""
    return run_queue()
