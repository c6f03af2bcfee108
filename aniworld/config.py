"""``data/config.json``: the owner's settings, in the seed's format.

Precedence is environment > config.json > defaults. The file is read on demand
(cached by modification time, so changes from another process are seen), it is
validated, written atomically (temp file + fsync + rename) under an exclusive
file lock, and keys we do not know are preserved on every write.
"""

from __future__ import annotations

import copy
import fcntl
import json
import os
import re
import tempfile
import threading
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings

from aniworld.connect_section import DEFAULTS as CONNECT_DEFAULTS
from aniworld.connect_section import connect_problems
from aniworld.env import LOG_LEVELS
from aniworld.errors import ValidationFailed
from aniworld.hosters import DOWNLOADABLE
from aniworld.languages import Language

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

DEFAULTS: dict[str, Any] = {
    "name": "Aniworld",
    "data_dir": "data",
    "scheduler": {
        "enabled": True,
        "schedule_time": "03:00",
        "schedule_days": list(WEEKDAYS),
        "auto_download_after_rescan": False,
    },
    "logging": {"level": "INFO"},
    "backup": {"enabled": False, "path": "", "keep": 10, "schedule_time": "04:00"},
    "other": {"master_password_hash": None, "anime_directory": ""},
    "downloads": {
        "language_order": [Language.GERMAN_DUB, Language.GERMAN_SUB, Language.ENGLISH_SUB],
        "hoster_order": list(DOWNLOADABLE),
        # A hoster whose last 10 attempts all failed is tried after the others.
        "hoster_order_auto": True,
        "naming_template": "Season {season}/{series} - S{season}E{episode} - {title}",
        "episode_padding": 2,
        "min_free_space_gb": 2,
    },
    "tmdb": {"api_key": ""},
    # Mirrors, first preferred (DESIGN.md, "Reaching the sites"): s.to itself is
    # DNS-blocked in Germany and retired in favour of these.
    "sites": {
        "aniworld_urls": ["https://aniworld.to"],
        "sto_urls": ["https://serienstream.to", "https://serienstream.cx", "http://186.2.175.5"],
    },
    "new_episodes": {"enabled": False, "interval_minutes": 60},
    "connect": CONNECT_DEFAULTS,
}

# Environment variables that override a value of the file: name → (section, key).
ENV_OVERRIDES: dict[str, tuple[str, str]] = {
    "ANIME_DIRECTORY": ("other", "anime_directory"),
    "LOG_LEVEL": ("logging", "level"),
    "ANIWORLD_SITE_URL": ("sites", "aniworld_urls"),
    "STO_SITE_URL": ("sites", "sto_urls"),
    "TMDB_API_KEY": ("tmdb", "api_key"),
}

# Overrides that hold a comma-separated list.
LIST_VARIABLES = ("ANIWORLD_SITE_URL", "STO_SITE_URL")
# The single-URL keys of older config.json files → the list keys that replaced them.
LEGACY_SITE_KEYS = {"aniworld_url": "aniworld_urls", "sto_url": "sto_urls"}
RETIRED_SITE_URLS = ("https://s.to", "http://s.to")

_TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class ConfigFileError(Exception):
    """config.json exists but cannot be used; the message says why."""


class UpdateRefused(Exception):
    """A conditional update found the file in a state that forbids it."""


def deep_merge(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` updated by ``patch``; nested objects are merged, not replaced."""
    merged = copy.deepcopy(dict(base))
    for key, value in patch.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def validate(config: Mapping[str, Any]) -> dict[str, list[str]]:
    """Problems of a merged config as ``{"section.key": [message]}``; empty when valid."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for section, default in DEFAULTS.items():
        if isinstance(default, dict) and not isinstance(config.get(section), dict):
            fail(section, "must be an object")
    if errors:
        return errors

    scheduler = config["scheduler"]
    for flag in ("enabled", "auto_download_after_rescan"):
        if not isinstance(scheduler.get(flag), bool):
            fail(f"scheduler.{flag}", "must be true or false")
    if not isinstance(scheduler.get("schedule_time"), str) or not _TIME_RE.match(
        scheduler["schedule_time"]
    ):
        fail("scheduler.schedule_time", 'must be a time "HH:MM" (24 hours)')
    days = scheduler.get("schedule_days")
    if not isinstance(days, list) or any(day not in WEEKDAYS for day in days):
        fail("scheduler.schedule_days", f"must be a list of {', '.join(WEEKDAYS)}")

    level = config["logging"].get("level")
    if not isinstance(level, str) or level.upper() not in LOG_LEVELS:
        fail("logging.level", f"must be one of {', '.join(LOG_LEVELS)}")

    if not isinstance(config["backup"].get("enabled"), bool):
        fail("backup.enabled", "must be true or false")
    keep = config["backup"].get("keep")
    if not isinstance(keep, int) or isinstance(keep, bool) or not 1 <= keep <= 1000:
        fail("backup.keep", "must be a whole number from 1 to 1000")
    backup_time = config["backup"].get("schedule_time")
    if not isinstance(backup_time, str) or not _TIME_RE.match(backup_time):
        fail("backup.schedule_time", 'must be a time "HH:MM" (24 hours)')
    if not isinstance(config["backup"].get("path"), str):
        fail("backup.path", "must be a path (empty: the data directory's backups folder)")

    other = config["other"]
    if other.get("master_password_hash") is not None and not isinstance(
        other["master_password_hash"], str
    ):
        fail("other.master_password_hash", "must be a string or null")
    if not isinstance(other.get("anime_directory"), str):
        fail("other.anime_directory", "must be a path")

    downloads = config["downloads"]
    order = downloads.get("language_order")
    if (
        not isinstance(order, list)
        or not order
        or any(Language.find(code) is None for code in order)
        or len(set(order)) != len(order)
    ):
        fail("downloads.language_order", f"must list distinct languages of {', '.join(Language)}")
    hosters = downloads.get("hoster_order")
    if not isinstance(hosters, list) or not hosters or any(h not in DOWNLOADABLE for h in hosters):
        fail("downloads.hoster_order", f"must list hosters of {', '.join(DOWNLOADABLE)}")
    if not isinstance(downloads.get("hoster_order_auto"), bool):
        fail("downloads.hoster_order_auto", "must be true or false")
    if downloads.get("episode_padding") not in (2, 3):
        fail("downloads.episode_padding", "must be 2 or 3")
    space = downloads.get("min_free_space_gb")
    if not isinstance(space, int | float) or isinstance(space, bool) or space < 0:
        fail("downloads.min_free_space_gb", "must be a number of gigabytes, 0 or more")
    if not isinstance(downloads.get("naming_template"), str) or not downloads["naming_template"]:
        fail("downloads.naming_template", "must be a non-empty template")

    for key in ("aniworld_urls", "sto_urls"):
        problem = mirror_list_problem(config["sites"].get(key))
        if problem:
            fail(f"sites.{key}", problem)
    if not isinstance(config["tmdb"].get("api_key"), str):
        fail("tmdb.api_key", "must be a string")
    watch = config["new_episodes"]
    if not isinstance(watch.get("enabled"), bool):
        fail("new_episodes.enabled", "must be true or false")
    minutes = watch.get("interval_minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 5 <= minutes <= 1440:
        fail("new_episodes.interval_minutes", "must be a whole number from 5 to 1440")
    errors.update(connect_problems(config["connect"]))
    return errors


def mirror_list_problem(urls: Any) -> str:
    """Why ``urls`` is not a usable mirror list, or ``""``."""
    if not isinstance(urls, list) or not urls:
        return "must list at least one http(s) URL, the preferred first"
    for url in urls:
        if not isinstance(url, str) or not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", url):
            return f"{str(url)[:100]!r} is not an http(s) URL"
    if len({url.rstrip("/") for url in urls}) != len(urls):
        return "must not name a mirror twice"
    return ""


def upgrade_legacy_sites(sites: Any) -> Any:
    """``sites`` with the old single-URL keys turned into mirror lists.

    A list key already present wins. The retired s.to becomes the default list:
    German ISPs block it, and keeping it first would fail every first request.
    """
    if not isinstance(sites, dict):
        return sites
    sites = dict(sites)
    for old, new in LEGACY_SITE_KEYS.items():
        if old not in sites:
            continue
        value = sites.pop(old)
        if new in sites:
            continue
        if isinstance(value, str) and value.rstrip("/") in RETIRED_SITE_URLS:
            sites[new] = list(DEFAULTS["sites"][new])
        else:
            sites[new] = [value] if isinstance(value, str) else value
    return sites


class ConfigStore:
    """Reads and writes one config.json file."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._cache: tuple[int, int, dict[str, Any]] | None = None
        self._lock = threading.Lock()

    def read_raw(self) -> dict[str, Any]:
        """The file's own content (no defaults); ``{}`` when there is no file."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        signature = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            if self._cache and self._cache[:2] == signature:
                return copy.deepcopy(self._cache[2])
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigFileError(f"{self.path} is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ConfigFileError(f"{self.path} must hold a JSON object")
        with self._lock:
            self._cache = (*signature, data)
        return copy.deepcopy(data)

    def load(self) -> dict[str, Any]:
        """The file merged over the defaults, validated."""
        raw = self.read_raw()
        if "sites" in raw:
            raw["sites"] = upgrade_legacy_sites(raw["sites"])
        config = deep_merge(DEFAULTS, raw)
        problems = validate(config)
        if problems:
            listed = "; ".join(f"{field}: {', '.join(msgs)}" for field, msgs in problems.items())
            raise ConfigFileError(f"{self.path} has invalid values: {listed}")
        return config

    def update(
        self,
        patch: Mapping[str, Any],
        *,
        only_if: Callable[[dict[str, Any]], bool] | None = None,
    ) -> dict[str, Any]:
        """Merge ``patch`` into the file and write it; invalid results raise 422.

        ``only_if`` is asked about the file's content under the lock: when it says
        no, nothing is written and ``UpdateRefused`` is raised (a check-and-set that
        holds across threads and processes).
        """
        with self._exclusive():
            raw = self.read_raw()
            if only_if is not None and not only_if(raw):
                raise UpdateRefused(f"{self.path} was not changed: its content did not allow it")
            merged = deep_merge(raw, patch)
            if "sites" in merged:
                merged["sites"] = upgrade_legacy_sites(merged["sites"])
            problems = validate(deep_merge(DEFAULTS, merged))
            if problems:
                raise ValidationFailed("The configuration is not valid.", details=problems)
            self.write(merged)
        return self.load()

    def write(self, data: Mapping[str, Any]) -> None:
        """Write ``data`` atomically: a reader sees the old or the new file, never half."""
        write_atomically(self.path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n"))
        with self._lock:
            self._cache = None

    @contextmanager
    def _exclusive(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_suffix(".lock"), "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)


def write_atomically(
    path: Path, content: str | bytes, mode: int | None = None, *, temp_prefix: str = ""
) -> None:
    """Write ``content`` to ``path`` via a temp file in the same folder and a rename.

    ``temp_prefix``: the temp file's name start (hidden ``.<name>.`` when not given)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix = temp_prefix or f".{path.name}."
    fd, tmp_name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content.encode("utf-8") if isinstance(content, str) else content)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def apply_env_overrides(config: dict[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    """``config`` with every set override variable applied (environment wins)."""
    config = copy.deepcopy(config)
    for variable, (section, key) in ENV_OVERRIDES.items():
        value = environ.get(variable, "").strip()
        if not value:
            continue
        if variable in LIST_VARIABLES:
            config[section][key] = [item.strip() for item in value.split(",") if item.strip()]
        else:
            config[section][key] = value.upper() if variable == "LOG_LEVEL" else value
    return config


def store() -> ConfigStore:
    """The store of this installation's config.json."""
    global _store
    if _store is None or _store.path != settings.ANIWORLD_CONFIG_FILE:
        _store = ConfigStore(settings.ANIWORLD_CONFIG_FILE)
    return _store


_store: ConfigStore | None = None


def current() -> dict[str, Any]:
    """The effective configuration now: environment > config.json > defaults."""
    return apply_env_overrides(store().load(), os.environ)


def overridden_by_env() -> list[str]:
    """Dotted keys whose value the environment fixes (the settings page shows them read-only)."""
    return [
        f"{section}.{key}"
        for variable, (section, key) in ENV_OVERRIDES.items()
        if os.environ.get(variable, "").strip()
    ]
