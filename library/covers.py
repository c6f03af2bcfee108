"""Series covers served from our own origin.

Pages never hot-link the index sites' images (the Content-Security-Policy
allows images from 'self' only, and the owner's browser should not talk to the
index sites). A cover is the series folder's ``poster.jpg`` when the metadata
step wrote one, else the index site's cover, fetched once through the site's
client, checked to be a real image, and cached in the data dir.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings

from aniworld.config import write_atomically
from aniworld.errors import AppError, RemoteError
from aniworld.images import NotAnImage, check_image
from library.catalog import series_folder
from library.models import Series
from library.providers import get_provider

log = logging.getLogger(__name__)

POSTER_FILE_NAME = "poster.jpg"
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
PLACEHOLDER_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 300">'
    '<rect width="200" height="300" fill="#2f3440"/>'
    '<path d="M80 120v60l50-30z" fill="#6b7385"/></svg>'
)


def cache_dir() -> Path:
    return Path(settings.DATA_DIR) / "covers"


def cover_file(series: Series) -> tuple[Path, str] | None:
    """The cover to serve and its content type, or None (the caller shows a placeholder)."""
    poster = local_poster(series)
    if poster is not None:
        return poster, "image/jpeg"
    for kind, content_type in CONTENT_TYPES.items():
        cached = cache_dir() / f"{series.key}.{kind}"
        if cached.is_file():
            return cached, content_type
    return fetch_cover(series)


def local_poster(series: Series) -> Path | None:
    """The series folder's own poster.jpg: that very file (no link elsewhere), or None."""
    try:
        folder = series_folder(series)
    except AppError:
        return None
    try:
        path = (folder / POSTER_FILE_NAME).resolve(strict=True)
    except OSError:
        return None
    if path != folder / POSTER_FILE_NAME or not path.is_file():
        return None
    return path


def fetch_cover(series: Series) -> tuple[Path, str] | None:
    if not series.cover_url:
        return None
    provider = get_provider(series.site)
    try:
        response = provider.client.get(provider.on_site(series.cover_url))
        kind = check_image(response.content, response.headers.get("content-type", ""))
    except (RemoteError, NotAnImage) as exc:
        log.info("no cover for %s: %s", series.key, exc)
        return None
    path = cache_dir() / f"{series.key}.{kind}"
    write_atomically(path, response.content)
    return path, CONTENT_TYPES[kind]


def forget_cover(series_key: str) -> None:
    for kind in CONTENT_TYPES:
        (cache_dir() / f"{series_key}.{kind}").unlink(missing_ok=True)
