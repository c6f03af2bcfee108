"""Backups of the installation: ``config.json`` plus a consistent copy of the SQLite database.

A backup is one zip file named ``aniworld-backup-YYYYmmdd-HHMMSS.zip`` (UTC;
``-2``, ``-3`` … when several are made within a second) in the backup folder
(``backup.path``, or ``<data dir>/backups``). It holds ``manifest.json``,
``config.json`` and, on SQLite, ``aniworld.db``. On PostgreSQL only the
configuration is saved (use ``pg_dump`` for the database; the manifest says so).

The database is copied with sqlite3's online backup API through a separate
read-only connection, in one step: one read transaction, so the copy is a
consistent snapshot even while the worker writes (WAL readers never wait for
writers). An in-memory database (the test suite's) has no file to open, so it
is copied through Django's own connection, statement by statement.

Only names we generate are accepted anywhere (no paths, no traversal). A
restore checks the whole archive before it replaces anything, then backs the
current state up, then writes. It keeps the current master password: restoring
settings must never change who can log in.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from accounts import api_key, owner
from aniworld import config, file_modes
from aniworld.errors import AppError, Conflict, NotFound, ValidationFailed
from downloads.models import DownloadItem, Status
from library.models import ScanRun, ScanStatus

log = logging.getLogger(__name__)

NAME_PATTERN = re.compile(r"^aniworld-backup-(\d{8})-(\d{6})(?:-(\d{1,4}))?\.zip$")
MANIFEST = "manifest.json"
CONFIG_MEMBER = "config.json"
DATABASE_MEMBER = "aniworld.db"
FORMAT = 1


class BackupFailed(AppError):
    status = 507
    code = "BACKUP_FAILED"


@dataclass(frozen=True)
class BackupInfo:
    name: str
    size: int
    created_at: datetime
    reason: str
    includes_database: bool
    valid: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "size": self.size,
            "created_at": self.created_at,
            "reason": self.reason,
            "includes_database": self.includes_database,
            "valid": self.valid,
        }


def backup_dir() -> Path:
    path = config.current()["backup"]["path"].strip()
    return Path(path) if path else Path(settings.BACKUP_DIR)


def database_kind() -> str:
    return connection.vendor


def _sort_key(name: str) -> tuple[str, str, int]:
    match = NAME_PATTERN.match(name)
    assert match is not None
    return match.group(1), match.group(2), int(match.group(3) or 1)


def _created_at(name: str) -> datetime:
    day, time, _ = _sort_key(name)
    return datetime.strptime(day + time, "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def path_of(name: str) -> Path:
    """The file of a backup we made; 404 for any other name (no paths, no traversal)."""
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise NotFound(f"No backup named {name!r}.", details={"name": name})
    path = backup_dir() / name
    if not path.is_file():
        raise NotFound(f"No backup named {name!r}.", details={"name": name})
    return path


def list_names() -> list[str]:
    """The names of our backups in the backup folder, newest first."""
    folder = backup_dir()
    if not folder.is_dir():
        return []
    names = [p.name for p in folder.iterdir() if NAME_PATTERN.match(p.name) and p.is_file()]
    return sorted(names, key=_sort_key, reverse=True)


def list_backups() -> list[BackupInfo]:
    """Every backup, newest first."""
    infos = []
    for name in list_names():
        try:
            infos.append(_info(backup_dir() / name))
        except OSError:
            continue  # deleted meanwhile
    return infos


def _info(path: Path) -> BackupInfo:
    return _describe(path.name, path.stat().st_size, _read_manifest(path))


def _describe(name: str, size: int, manifest: dict[str, Any] | None) -> BackupInfo:
    return BackupInfo(
        name=name,
        size=size,
        created_at=_created_at(name),
        reason=(manifest or {}).get("reason", ""),
        includes_database=bool((manifest or {}).get("database_file")),
        valid=manifest is not None,
    )


def _read_manifest(path: Path) -> dict[str, Any] | None:
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(MANIFEST))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
    return manifest if isinstance(manifest, dict) else None


def _candidate_names(now: datetime):
    stamp = now.astimezone(UTC).strftime("%Y%m%d-%H%M%S")
    yield f"aniworld-backup-{stamp}.zip"
    counter = 2
    while True:
        yield f"aniworld-backup-{stamp}-{counter}.zip"
        counter += 1


def _publish(archive: Path, folder: Path, now: datetime) -> Path:
    """Give ``archive`` the first free backup name in ``folder``, never overwriting one.

    A hard link fails when the name exists, so two backups made in the same second
    (by two requests or processes) both survive under different names.
    """
    for name in _candidate_names(now):
        target = folder / name
        try:
            os.link(archive, target)
        except FileExistsError:
            continue
        archive.unlink()
        return target
    raise AssertionError("unreachable")  # pragma: no cover - the names never run out


def create_backup(reason: str = "manual") -> BackupInfo:
    """Write a new backup, then drop the oldest beyond ``backup.keep``."""
    folder = backup_dir()
    try:
        folder.mkdir(mode=file_modes.PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".backup-", dir=folder) as scratch:
            work = Path(scratch)
            database = work / DATABASE_MEMBER
            copied = copy_database(database)
            now = timezone.now()
            manifest = {
                "format": FORMAT,
                "created_at": now.isoformat(),
                "version": settings.VERSION,
                "reason": reason,
                "database": database_kind(),
                "database_file": DATABASE_MEMBER if copied else None,
                "note": "" if copied else "PostgreSQL: configuration only; back up with pg_dump",
            }
            archive_path = work / "backup.zip"
            with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
                archive.writestr(CONFIG_MEMBER, _config_bytes())
                if copied:
                    archive.write(database, DATABASE_MEMBER)
            os.chmod(archive_path, file_modes.PRIVATE_FILE_MODE)  # it holds live tokens
            # Read before it is published: a backup made at the same moment by another
            # request may delete it at once under the retention rule.
            size = archive_path.stat().st_size
            info = _describe(_publish(archive_path, folder, now).name, size, manifest)
    except (OSError, sqlite3.Error) as exc:
        log.error("backup failed: %s", exc)
        raise BackupFailed(f"The backup could not be written to {folder}: {exc}") from exc
    log.info("backup %s written (%s)", info.name, reason)
    apply_retention()
    return info


def _config_bytes() -> bytes:
    path = Path(settings.ANIWORLD_CONFIG_FILE)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b"{}\n"


def copy_database(target: Path) -> bool:
    """A consistent copy of the SQLite database at ``target``; False on other databases."""
    if connection.vendor != "sqlite":
        return False
    if connection.is_in_memory_db():
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            copy.executescript("\n".join(connection.connection.iterdump()))
        copy.close()
        return True
    copy_sqlite_file(Path(connection.settings_dict["NAME"]), target)
    return True


def copy_sqlite_file(source: Path, target: Path) -> None:
    """Copy a live SQLite database with the online backup API, in a single step."""
    reader = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=20)
    try:
        writer = sqlite3.connect(target)
        try:
            # pages=-1: everything in one step, inside one read transaction.
            reader.backup(writer, pages=-1)
        finally:
            writer.close()
    finally:
        reader.close()


def apply_retention(keep: int | None = None) -> list[str]:
    """Delete the oldest backups beyond the newest ``keep``; return the names deleted."""
    keep = keep if keep is not None else int(config.current()["backup"]["keep"])
    doomed = list_names()[keep:]
    for name in doomed:
        try:
            (backup_dir() / name).unlink()
            log.info("backup %s deleted (keeping the newest %d)", name, keep)
        except OSError as exc:
            log.warning("could not delete old backup %s: %s", name, exc)
    return doomed


def delete_backup(name: str) -> None:
    path_of(name).unlink()
    log.info("backup %s deleted", name)


# --- restore --------------------------------------------------------------------


@dataclass
class CheckedBackup:
    """A backup that passed every check, ready to be restored."""

    name: str
    config: dict[str, Any]
    database: Path | None


def check_backup(path: Path, scratch: Path, *, with_database: bool) -> CheckedBackup:
    """Open and verify an archive completely; ``ValidationFailed`` (422) says what is wrong."""

    def refuse(reason: str) -> ValidationFailed:
        return ValidationFailed(
            f"The backup {path.name} cannot be restored: {reason}. Nothing was changed.",
            details={"backup": [reason]},
            code="BACKUP_INVALID",
        )

    try:
        with zipfile.ZipFile(path) as archive:
            broken = archive.testzip()
            if broken is not None:
                raise refuse(f"{broken} is damaged (checksum mismatch)")
            members = set(archive.namelist())
            if not {MANIFEST, CONFIG_MEMBER} <= members:
                raise refuse("it lacks manifest.json or config.json")
            manifest = json.loads(archive.read(MANIFEST))
            raw = json.loads(archive.read(CONFIG_MEMBER))
            database = None
            if with_database:
                if DATABASE_MEMBER not in members:
                    raise refuse("it holds no database copy (it was made on PostgreSQL)")
                archive.extract(DATABASE_MEMBER, scratch)
                database = scratch / DATABASE_MEMBER
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise refuse(f"it is not a readable zip file ({exc})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise refuse(f"it holds invalid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise refuse("its manifest is not one this version understands")
    if not isinstance(raw, dict):
        raise refuse("its config.json is not a JSON object")
    problems = config.validate(config.deep_merge(config.DEFAULTS, raw))
    if problems:
        listed = "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in problems.items())
        raise refuse(f"its config.json has invalid values ({listed})")
    if database is not None:
        problem = _database_problem(database)
        if problem:
            raise refuse(problem)
    return CheckedBackup(path.name, raw, database)


def _database_problem(path: Path) -> str:
    try:
        with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as db:
            integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
            if integrity != "ok":
                return f"its database is damaged ({integrity})"
            applied = set(db.execute("SELECT app, name FROM django_migrations").fetchall())
    except sqlite3.Error as exc:
        return f"its database cannot be read ({exc})"
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    if applied - known:
        return "its database was made by a newer version of Aniworld"
    return ""


def restore_backup(name: str, *, with_database: bool = False) -> dict[str, Any]:
    """Restore a backup's settings (and, when asked, its database). The current state is
    backed up first; a backup that fails any check changes nothing.

    The restored settings are only written: the caller puts them into effect
    (``config_changes.apply_side_effects``), so backups never call back into the
    settings code that itself makes a backup before each change."""
    path = path_of(name)
    if with_database and connection.vendor != "sqlite":
        raise ValidationFailed(
            "Only a SQLite database can be restored from a backup; use pg_restore.",
            details={"database": ["not available on PostgreSQL"]},
        )
    if with_database:
        _require_idle()
    with tempfile.TemporaryDirectory(prefix="aniworld-restore-") as scratch:
        checked = check_backup(path, Path(scratch), with_database=with_database)
        safety = create_backup(reason=f"before restoring {name}")
        restored = dict(checked.config)
        current_hash = config.store().read_raw().get("other", {}).get("master_password_hash")
        restored["other"] = {**restored.get("other", {}), "master_password_hash": current_hash}
        config.store().write(restored)
        if checked.database is not None:
            restore_database(checked.database)
            # The restored tables lack the revocations made since the backup, and may
            # hold an API key the owner has replaced since: every login and key goes.
            owner.revoke_all_logins()
            api_key.regenerate()
    log.warning("restored backup %s (database: %s)", name, with_database)
    return {"restored": name, "database_restored": with_database, "safety_backup": safety.name}


def _require_idle() -> None:
    if DownloadItem.objects.filter(status=Status.DOWNLOADING).exists():
        raise Conflict("Stop the download queue before restoring the database.", code="BUSY")
    if ScanRun.objects.filter(status=ScanStatus.RUNNING).exists():
        raise Conflict("Wait for the running scan before restoring the database.", code="BUSY")


def restore_database(source: Path) -> None:
    """Replace the live SQLite database's content with ``source`` (online backup API),
    then bring its schema up to date."""
    if connection.in_atomic_block:
        raise Conflict("The database cannot be restored inside a transaction.", code="BUSY")
    reader = sqlite3.connect(source)
    try:
        if connection.is_in_memory_db():
            connection.ensure_connection()
            reader.backup(connection.connection)
        else:
            connection.close()
            writer = sqlite3.connect(connection.settings_dict["NAME"], timeout=20)
            try:
                reader.backup(writer)
            finally:
                writer.close()
    finally:
        reader.close()
    connection.close()
    call_command("migrate", interactive=False, verbosity=0)
