"""What the System page shows: version, uptime, database, disks, checks, schedules,
recent errors, and the tail of the log file."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import connection
from django.utils import timezone

from aniworld import config, logs, mirrors
from aniworld.disk_space import disk_space
from aniworld.env import LOG_LEVELS
from aniworld.library_root import library_root
from aniworld.models import JobRun, RunStatus
from downloads import hoster_stats
from system import health, scheduler

log = logging.getLogger(__name__)

# The first line of a record (aniworld.logs.LOG_FORMAT); other lines continue it.
RECORD_START = re.compile(r"^(?P<at>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}) (?P<level>[A-Z]+)\s")
TAIL_BYTES = 512 * 1024
CHECK_LABELS = {
    "database": "Database",
    "disk": "Data and temp folders",
    "library": "Library folder",
    "worker": "Download worker",
    "scheduler": "Scheduler",
    "tmdb": "TMDB",
    "channel_layer": "Channel layer",
}
_IMPORTED_AT = timezone.now()


def started_at_file() -> Path:
    return settings.DATA_DIR / "run" / "started-at"


def record_start() -> None:
    """Start-up step: remember when the app (not just this process) started."""
    path = started_at_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    config.write_atomically(path, timezone.now().isoformat())


def started_at() -> datetime:
    try:
        return datetime.fromisoformat(started_at_file().read_text().strip())
    except (OSError, ValueError):
        return _process_started()


def _process_started() -> datetime:
    """This process's start, from /proc (the app runs on Linux); else when we were imported."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        boot = next(
            int(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
        return datetime.fromtimestamp(boot + int(fields[19]) / os.sysconf("SC_CLK_TCK"), UTC)
    except (OSError, ValueError, IndexError, StopIteration):
        return _IMPORTED_AT


def database_info() -> dict[str, Any]:
    info: dict[str, Any] = {"vendor": connection.vendor, "size_bytes": None, "name": ""}
    try:
        if connection.vendor == "sqlite":
            if not connection.is_in_memory_db():
                path = Path(connection.settings_dict["NAME"])
                info["name"] = str(path)
                info["size_bytes"] = sum(
                    p.stat().st_size
                    for p in (path, path.with_name(path.name + "-wal"))
                    if p.exists()
                )
            else:
                info["name"] = "in memory"
        elif connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_database(), pg_database_size(current_database())")
                info["name"], info["size_bytes"] = cursor.fetchone()
    except Exception as exc:
        info["error"] = str(exc)
    return info


def disk_info(label: str, path: Path | None) -> dict[str, Any]:
    info: dict[str, Any] = {"label": label, "path": str(path or ""), "error": ""}
    if path is None:
        info["error"] = "not configured"
        return info
    try:
        space = disk_space(path)
    except OSError as exc:
        info["error"] = str(exc.strerror or exc)
        return info
    info.update(
        total=space.total, free=space.free, used_percent=round(100 * space.used / space.total)
    )
    return info


def status() -> dict[str, Any]:
    started = started_at()
    checks = async_to_sync(health.run_checks)()
    return {
        "version": settings.VERSION,
        "started_at": started,
        "uptime_seconds": max(0, int((timezone.now() - started).total_seconds())),
        "database": database_info(),
        "disks": [
            disk_info("Library", library_root()),
            disk_info("Temp", Path(settings.TEMP_DIR)),
            disk_info("Data", Path(settings.DATA_DIR)),
        ],
        "channel_layer": settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1],
        "checks": [
            {
                "name": name,
                "label": CHECK_LABELS.get(name, name.replace("_", " ").capitalize()),
                **check,
            }
            for name, check in checks.items()
        ],
        "healthy": all(check["status"] == "ok" for check in checks.values()),
        "schedules": scheduler.overview(),
        "mirrors": mirrors.overview(),
        "recent_errors": recent_errors(),
        "hosters": hoster_stats.overview(),
    }


def recent_errors(limit: int = 15) -> list[dict[str, Any]]:
    """Failed job runs and ERROR records of the log, newest first."""
    found: list[dict[str, Any]] = []
    for run in JobRun.objects.filter(status=RunStatus.FAILED)[:limit]:
        found.append(
            {
                "at": run.finished_at or run.started_at,
                "source": f"{run.get_job_display()} ({run.trigger})",
                "message": "; ".join(run.errors) or "failed",
            }
        )
    for record in tail_records(limit=limit, min_level="ERROR"):
        found.append({"at": record.at, "source": "log", "message": record.text})
    epoch = datetime.min.replace(tzinfo=UTC)
    found.sort(key=lambda item: item["at"] or epoch, reverse=True)
    return found[:limit]


@dataclass(frozen=True)
class LogRecord:
    at: datetime | None
    level: str
    text: str


def tail_records(limit: int = 200, min_level: str = "DEBUG") -> list[LogRecord]:
    """The last ``limit`` records of the log file at ``min_level`` or above, oldest first."""
    path = logs.log_file_path()
    try:
        with open(path, "rb") as handle:
            size = handle.seek(0, os.SEEK_END)
            handle.seek(max(0, size - TAIL_BYTES))
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return []
    lines = text.splitlines()
    if size > TAIL_BYTES and lines:
        lines = lines[1:]  # the first line was cut in half
    threshold = LOG_LEVELS.index(min_level) if min_level in LOG_LEVELS else 0
    records: list[LogRecord] = []
    current: list[str] = []
    level = ""
    for line in lines:
        match = RECORD_START.match(line)
        if match:
            _keep(records, current, level, threshold)
            current, level = [line], match.group("level")
        elif current:
            current.append(line)
    _keep(records, current, level, threshold)
    return records[-limit:]


def _keep(records: list[LogRecord], lines: list[str], level: str, threshold: int) -> None:
    if not lines or level not in LOG_LEVELS or LOG_LEVELS.index(level) < threshold:
        return
    match = RECORD_START.match(lines[0])
    at = None
    if match:
        naive = datetime.strptime(match.group("at"), "%Y-%m-%d %H:%M:%S,%f")
        at = timezone.make_aware(naive, timezone.get_current_timezone())
    records.append(LogRecord(at, level, "\n".join(lines)))
