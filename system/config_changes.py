"""Reading and changing the settings as the API and the Settings page see them.

The public shape is ``config.json``'s own (the effective values: environment >
file > defaults) with three exceptions: the master password hash is never
shown, the TMDB key is write-only (``null`` on read; ``null`` in a change means
"keep it", ``""`` removes it), and ``meta`` adds what a form needs (which keys
the environment fixes, a preview of the naming template). Changes are checked
field by field (422 with ``{"section.key": [message]}``), the current state is
backed up, the file is written atomically, and the change takes effect at once:
the log level is applied, the schedules are declared again.
"""

from __future__ import annotations

import copy
import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings

from aniworld import config, logs, tempdir
from aniworld.errors import ValidationFailed
from library.naming import TemplateError, preview_names, validate_template
from system import backups, scheduler
from system.media_server_keys import hide_keys, keep_stored_keys

log = logging.getLogger(__name__)

HIDDEN_KEYS = {("other", "master_password_hash")}
WRITE_ONLY_KEYS = {("tmdb", "api_key")}
META_KEY = "meta"

Problems = dict[str, list[str]]


def public_config() -> dict[str, Any]:
    """The settings as ``GET /api/config`` answers them."""
    effective = config.current()
    shaped: dict[str, Any] = {}
    for section, default in config.DEFAULTS.items():
        if isinstance(default, dict):
            shaped[section] = {
                key: copy.deepcopy(effective[section].get(key, value))
                for key, value in default.items()
                if (section, key) not in HIDDEN_KEYS
            }
        else:
            shaped[section] = effective.get(section, default)
    for section, key in WRITE_ONLY_KEYS:
        shaped[section][key] = None
    shaped["connect"]["media_servers"] = hide_keys(shaped["connect"]["media_servers"])
    downloads = effective["downloads"]
    shaped[META_KEY] = {
        "read_only": read_only_keys(),
        "tmdb_api_key_set": bool(effective["tmdb"]["api_key"].strip()),
        "naming_preview": naming_preview(
            downloads["naming_template"], downloads["episode_padding"]
        ),
        "timezone": settings.TIME_ZONE,
        "data_dir": str(settings.DATA_DIR),
        "default_backup_dir": str(settings.BACKUP_DIR),
    }
    return shaped


def read_only_keys() -> dict[str, str]:
    """Dotted keys that cannot change here → why (the environment variable that fixes them)."""
    fixed = {"data_dir": "ANIWORLD_DATA_DIR"}
    for variable, (section, key) in config.ENV_OVERRIDES.items():
        if os.environ.get(variable, "").strip():
            fixed[f"{section}.{key}"] = variable
    return fixed


def naming_preview(template: Any, padding: Any) -> list[str]:
    try:
        return preview_names(template, padding)
    except (TemplateError, ValueError, TypeError):
        return []


def normalize(patch: Any) -> dict[str, Any]:
    """The change as it will be merged into config.json; refuses what may not change here."""
    if not isinstance(patch, Mapping):
        raise ValidationFailed(
            "The settings must be a JSON object.", details={"non_field_errors": ["not an object"]}
        )
    if isinstance(patch.get("sites"), Mapping):
        patch = {**patch, "sites": config.upgrade_legacy_sites(dict(patch["sites"]))}
    problems: Problems = {}
    effective = config.current()
    fixed = read_only_keys()
    clean: dict[str, Any] = {}
    for section, value in patch.items():
        if section == META_KEY:
            continue  # what GET added for forms; sending it back is harmless
        if section not in config.DEFAULTS:
            problems.setdefault(section, []).append("unknown setting")
            continue
        default = config.DEFAULTS[section]
        if not isinstance(default, dict):
            if section in fixed and value != effective.get(section):
                problems.setdefault(section, []).append(_fixed_message(fixed[section]))
            elif section not in fixed:
                clean[section] = value
            continue
        if not isinstance(value, Mapping):
            problems.setdefault(section, []).append("must be an object")
            continue
        for key, item in value.items():
            dotted = f"{section}.{key}"
            if key not in default:
                problems.setdefault(dotted, []).append("unknown setting")
            elif (section, key) in HIDDEN_KEYS:
                problems.setdefault(dotted, []).append(
                    "cannot be changed here; change the password from the account page"
                )
            elif dotted in fixed:
                if item != effective[section][key]:
                    problems.setdefault(dotted, []).append(_fixed_message(fixed[dotted]))
            elif (section, key) in WRITE_ONLY_KEYS and item is None:
                continue  # null: keep the stored secret
            else:
                clean.setdefault(section, {})[key] = _tidy(dotted, item)
    if problems:
        raise ValidationFailed("Some settings are not valid.", details=problems)
    return clean


def _fixed_message(variable: str) -> str:
    return f"set by the environment variable {variable}; change it there"


def _tidy(dotted: str, value: Any) -> Any:
    if isinstance(value, str) and dotted not in ("downloads.naming_template",):
        value = value.strip()
    if dotted == "logging.level" and isinstance(value, str):
        value = value.upper()
    if dotted == "connect.media_servers":
        value = keep_stored_keys(value)
    return value


def check(patch: Mapping[str, Any]) -> tuple[dict[str, Any], Problems]:
    """The file content after ``patch`` (normalized) and every problem with it."""
    merged = config.deep_merge(config.store().read_raw(), patch)
    full = config.deep_merge(config.DEFAULTS, merged)
    problems = config.validate(full)

    def fail(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    downloads = full["downloads"]
    template = downloads.get("naming_template")
    if isinstance(template, str) and "downloads.naming_template" not in problems:
        for problem in validate_template(template):
            fail("downloads.naming_template", problem)
    hosters = downloads.get("hoster_order")
    if isinstance(hosters, list) and len(set(map(str, hosters))) != len(hosters):
        fail("downloads.hoster_order", "must not name a hoster twice")

    # Folders are checked when they change: one that went missing later must not
    # block every other change (the health checks report it instead).
    effective = config.current()
    directory = patch.get("other", {}).get("anime_directory")
    if (
        isinstance(directory, str)
        and directory != effective["other"]["anime_directory"]
        and "other.anime_directory" not in problems
    ):
        problem = directory_problem(directory, create=False) or tempdir.library_problem(
            Path(directory)
        )
        if problem:
            fail("other.anime_directory", problem)
    backup_path = patch.get("backup", {}).get("path")
    if (
        isinstance(backup_path, str)
        and backup_path
        and backup_path != effective["backup"]["path"]
        and "backup.path" not in problems
    ):
        problem = directory_problem(backup_path, create=True)
        if problem:
            fail("backup.path", problem)
    return merged, problems


def directory_problem(text: str, *, create: bool) -> str:
    """Why ``text`` cannot serve as a folder we write to ("" when it can)."""
    if not text:
        return "choose a folder"
    path = Path(text)
    if not path.is_absolute():
        return "must be an absolute path"
    if not path.exists():
        if create and path.parent.is_dir():
            return "" if is_writable_dir(path.parent) else "its parent folder is read-only"
        return "does not exist"
    if not path.is_dir():
        return "is not a folder"
    if not is_writable_dir(path):
        return "is read-only"
    return ""


def is_writable_dir(path: Path) -> bool:
    """True when we can create a file in ``path`` (tried, not guessed from mode bits:
    root passes every permission check, but not a read-only mount or an immutable folder)."""
    try:
        with tempfile.TemporaryFile(dir=path, prefix=".aniworld-write-test-"):
            return True
    except OSError:
        return False


def validate_change(patch: Any) -> dict[str, Any]:
    """``POST /api/config/validate``: what the change would give, or 422."""
    clean = normalize(patch)
    merged, problems = check(clean)
    if problems:
        raise ValidationFailed("Some settings are not valid.", details=problems)
    downloads = config.deep_merge(config.DEFAULTS, merged)["downloads"]
    return {
        "valid": True,
        "naming_preview": naming_preview(
            downloads["naming_template"], downloads["episode_padding"]
        ),
    }


def apply_change(patch: Any, *, reason: str = "before a settings change") -> dict[str, Any]:
    """Check, back up, write, and put into effect; returns the new public settings."""
    clean = normalize(patch)
    merged, problems = check(clean)
    if problems:
        raise ValidationFailed("Some settings are not valid.", details=problems)
    if merged != config.store().read_raw():
        backups.create_backup(reason=reason)
        config.store().update(clean)
        log.info("settings changed: %s", ", ".join(_changed_keys(clean)))
        apply_side_effects()
    return public_config()


def _changed_keys(patch: Mapping[str, Any]) -> list[str]:
    keys: list[str] = []
    for section, value in patch.items():
        if isinstance(value, Mapping):
            keys += [f"{section}.{key}" for key in value]
        else:
            keys.append(section)
    return keys


def apply_side_effects() -> None:
    """Make the stored settings take effect in this process and in the schedules."""
    logs.set_level(config.current()["logging"]["level"])
    scheduler.declare_schedules()
