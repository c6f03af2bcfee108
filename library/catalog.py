"""Adding, removing and attaching series: the library's catalogue operations."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from django.db import IntegrityError, transaction
from django_q.tasks import async_task

from aniworld.errors import Conflict, NotFound, RemoteStatusError, ValidationFailed
from aniworld.file_modes import make_library_dir
from aniworld.library_root import library_root, library_root_problem
from library import signals
from library.data_file import SeriesRef, read_data_file, write_data_file
from library.models import Series, SeriesState
from library.naming import UnsafePathError, safe_join, series_folder_name
from library.providers import SeriesInfo, get_provider
from library.sync import series_path

log = logging.getLogger(__name__)


class LibraryNotConfigured(Conflict):
    code = "LIBRARY_NOT_CONFIGURED"

    def __init__(self):
        super().__init__("Set the library directory in Settings before adding series.")


def require_root():
    root = library_root()
    if root is None:
        raise LibraryNotConfigured()
    problem = library_root_problem(root)
    if problem:
        raise Conflict(problem, code="LIBRARY_MISSING")
    return root


def series_folder(series: Series) -> Path:
    """The series' folder (which may not exist) in a usable library: 409 without one,
    422 for a folder that would leave it."""
    require_root()
    try:
        return series_path(series)
    except UnsafePathError as exc:
        raise ValidationFailed(str(exc), details={"folder": [str(exc)]}) from exc


def library_root_message() -> str:
    """What stops series from being added (the root unset or unusable); "" when nothing."""
    try:
        require_root()
    except Conflict as exc:
        return exc.message
    return ""


def fetch_series_info(site: str, key: str) -> SeriesInfo:
    """The index's page of a series; an unknown key is a 404, not a remote failure."""
    try:
        return get_provider(site).series(key)
    except RemoteStatusError as exc:
        if exc.status_code in (404, 410):
            raise NotFound(
                f"{site} has no series {key!r}.", details={"key": key, "site": site}
            ) from exc
        raise


def _free_folder_name(info: SeriesInfo) -> str:
    """``Name (Year)``, or with the key appended when another series has that folder."""
    root = require_root()
    base = series_folder_name(info.name, info.year_start)
    for candidate in (base, f"{base} [{info.key}]"):
        taken = Series.objects.filter(folder=candidate).exists()
        ref = read_data_file(root / candidate) if (root / candidate).is_dir() else None
        if not taken and (ref is None or ref.key == info.key):
            return candidate
    raise Conflict(f"No free folder name for {info.name!r}.", details={"folder": base})


def add_series(site: str, key: str) -> Series:
    """Create the series, its folder and ``data`` file; episodes load in the background."""
    existing = Series.objects.filter(key=key).first()
    if existing is not None:
        raise Conflict(
            f"{existing.name!r} is already in the library.",
            code="ALREADY_IN_LIBRARY",
            details={"key": key, "site": existing.site},
        )
    require_root()
    info = fetch_series_info(site, key)
    folder = _free_folder_name(info)
    try:
        path = safe_join(require_root(), folder)
    except UnsafePathError as exc:
        raise ValidationFailed(str(exc), details={"folder": [str(exc)]}) from exc
    try:
        with transaction.atomic():
            series = Series.objects.create(
                key=key,
                site=site,
                name=info.name,
                folder=folder,
                year=info.year_start,
                year_end=info.year_end,
                description=info.description,
                cover_url=info.cover_url or "",
                genres=list(info.genres),
                alternative_titles=list(info.alternative_titles),
                fsk=info.fsk,
                imdb_id=info.imdb_id or "",
                provider_url=get_provider(site).relative(info.url),
                state=SeriesState.LOADING,
            )
            make_library_dir(path)
            write_data_file(path, SeriesRef(key=key, name=info.name, site=site, folder=folder))
    except IntegrityError:
        raise Conflict(f"{key!r} is already in the library.", code="ALREADY_IN_LIBRARY") from None
    log.info("added %s (%s) in %s", info.name, site, folder)
    transaction.on_commit(lambda: series_was_added(series))
    return series


def series_was_added(series: Series) -> None:
    """Announce a committed new series and load its episodes in the background."""
    for receiver, result in signals.series_added.send_robust(sender=Series, series=series):
        if isinstance(result, Exception):
            log.error("series %s added: %s failed: %r", series.key, receiver, result)
    schedule_refresh(series.id)


def schedule_refresh(series_id: int) -> None:
    async_task("library.tasks.refresh_series", series_id, task_name=f"refresh-series-{series_id}")


def get_series(key: str) -> Series:
    try:
        return Series.objects.get(key=key)
    except Series.DoesNotExist:
        raise NotFound(f"No series {key!r} in the library.", details={"key": key}) from None


def delete_series(series: Series, *, delete_files: bool) -> None:
    """Remove the series from the library; its folder stays unless ``delete_files``."""
    path = None
    if delete_files:
        path = series_folder(series)
        if path.is_dir():
            shutil.rmtree(path)
        log.info("deleted %s and its folder %s", series.key, path)
    key, name, folder = series.key, series.name, series.folder
    series.delete()
    for receiver, result in signals.series_deleted.send_robust(
        sender=Series, key=key, name=name, folder=folder, path=path, files_deleted=delete_files
    ):
        if isinstance(result, Exception):
            log.error("series %s deleted: %s failed: %r", key, receiver, result)


def library_folder(folder: str) -> Path:
    """The path of a folder directly in the library root; 422 for a path that
    leaves it, 404 when there is no such folder."""
    root = require_root()
    try:
        path = safe_join(root, folder)
    except UnsafePathError as exc:
        raise ValidationFailed(str(exc), details={"folder": [str(exc)]}) from exc
    if path.parent != root.resolve() or not path.is_dir():
        raise NotFound(f"No folder {folder!r} in the library.", details={"folder": folder})
    return path


def attach_folder(folder: str, site: str, key: str, info: SeriesInfo | None = None) -> Series:
    """Give an unmatched library folder a series (Sonarr's library import).

    ``info``: the series page, when the caller fetched it already (outside its transaction).
    """
    path = library_folder(folder)
    if read_data_file(path) is not None:
        raise Conflict(
            f"The folder {folder!r} already belongs to a series.", code="ALREADY_ATTACHED"
        )
    if Series.objects.filter(key=key).exists():
        raise Conflict(f"{key!r} is already in the library.", code="ALREADY_IN_LIBRARY")
    info = info or fetch_series_info(site, key)
    with transaction.atomic():
        series = Series.objects.create(
            key=key,
            site=site,
            name=info.name,
            folder=path.name,
            year=info.year_start,
            provider_url=get_provider(site).relative(info.url),
            cover_url=info.cover_url or "",
            state=SeriesState.LOADING,
        )
        write_data_file(path, SeriesRef(key=key, name=info.name, site=site, folder=path.name))
    transaction.on_commit(lambda: series_was_added(series))
    return series


def import_from_data_file(ref: SeriesRef, folder: str) -> Series | None:
    """A series for a folder whose ``data`` file names one we do not know yet."""
    if Series.objects.filter(key=ref.key).exists() or Series.objects.filter(folder=folder).exists():
        return None
    try:
        get_provider(ref.site)
    except ValidationFailed:
        log.warning("the data file of %s names an unknown site %r", folder, ref.site)
        return None
    return Series.objects.create(
        key=ref.key,
        site=ref.site,
        name=ref.name or folder,
        folder=folder,
        state=SeriesState.LOADING,
    )
