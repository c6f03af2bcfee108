"""The start-up and shutdown sequence of `manage.py serve`, in the seed's order.

1. purge the temp dir (partial downloads are worthless after a restart), once
   it is known not to overlap the library, the data dir or a home directory,
   and the hidden partial downloads in the library root,
2. the database (migrations applied),
3. the configuration (config.json readable and valid),
4. services: each app's start-up step, in order (queue restore, schedules,
   NFO repair in the background).

A failing temp purge is a warning; an unsafe temp dir (``UnsafeTempDir``), a
failing database or config stops the start. ``manage.py serve`` holds the
instance lock (``aniworld.instance``) before any of this runs.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import close_old_connections, connections

from aniworld import config, file_modes, tempdir
from aniworld.library_root import library_root
from downloads.queue import restore_after_restart
from system import backups

log = logging.getLogger("aniworld.startup")

# Later start-up steps of the apps, in order; each is "module:function".
SERVICE_STEPS: list[str] = [
    "library.sync:ensure_library_root",
    "library.scanning:recover_interrupted_scans",
    "downloads.queue:restore_after_restart",
    "system.status:record_start",
    "system.scheduler:start_scheduler",
    "nfo.repair:start_repair_in_background",
    "connect.health_watch:declare_schedule",
]


def prepare_database() -> None:
    for alias in connections:
        call_command("migrate", database=alias, interactive=False, verbosity=0)


def secure_data_dir() -> None:
    """The data dir, its database, logs, backups and secrets only for us (0700/0600),
    also where an older version left them readable. Outside the data dir only our own
    files are touched: the backups in ``backup.path``, a SQLite database elsewhere."""
    data_dir = Path(settings.DATA_DIR)
    library = library_root()
    others = [Path(settings.TEMP_DIR), *([library] if library else [])]
    changed = file_modes.secure_tree(data_dir, skip=others)
    database = settings.DATABASES["default"]
    own_files = [backups.path_of(name) for name in backups.list_names()]
    if settings.DATABASE_IS_SQLITE and Path(database["NAME"]).is_absolute():
        name = Path(database["NAME"])
        own_files += [name.with_name(name.name + suffix) for suffix in ("", "-wal", "-shm")]
    for path in own_files:
        if path.exists() and not path.resolve().is_relative_to(data_dir.resolve()):
            changed += file_modes.secure_tree(path)
    if changed:
        log.warning("made %d files and folders of the data dir private (0600/0700)", changed)


def check_config() -> None:
    config.current()


def _import(dotted: str) -> Callable[[], None]:
    module_name, function_name = dotted.split(":")
    module = __import__(module_name, fromlist=[function_name])
    return getattr(module, function_name)


def run(stdout=sys.stdout) -> None:
    tempdir.purge_leftovers(library_root())
    prepare_database()
    secure_data_dir()
    check_config()
    for step in SERVICE_STEPS:
        _import(step)()
    log.info("start-up complete")


def recover_after_worker_crash() -> None:
    """Before a crashed worker is restarted: what it left behind is cleaned up and its
    interrupted download goes back to the queue, as at a fresh start."""
    try:
        tempdir.purge_leftovers(library_root())
    except tempdir.UnsafeTempDir as exc:  # the library was moved onto it since the start
        log.error("%s", exc)
    restore_after_restart()
    close_old_connections()


def after_shutdown() -> None:
    """Fold the SQLite write-ahead log back into the database file."""
    connection = connections["default"]
    if connection.vendor != "sqlite":
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except Exception as exc:
        log.warning("WAL checkpoint failed: %s", exc)
