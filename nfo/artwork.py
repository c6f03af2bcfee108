"""Artwork beside tvshow.nfo: which TMDB images to use, and downloading them safely.

Choice: German first (our users read German), then textless, then English, then
anything; within a language the best-voted image wins. Fanart is the exception:
it sits behind menus, where text on the picture gets in the way, so a textless
backdrop beats a German one there (Kodi's "landscape" is the one meant to carry
the title).

Downloads go through the shared client of the image host, are checked to be a
real image (the Content-Type and the file's magic bytes: a CDN error page served
as 200 must never end up as poster.jpg) and are written atomically. A good file
already on disk is kept unless the caller forces a refresh.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from aniworld.errors import RemoteError
from aniworld.file_modes import write_library_file
from aniworld.http import ClientPolicy, SiteClient, client_for
from aniworld.images import NotAnImage, check_image, is_good_image_file
from nfo.tmdb import image_url
from nfo.tmdb_types import TmdbImage, TvDetails

POSTER_LANGUAGES: tuple[str | None, ...] = ("de", None, "en")
FANART_LANGUAGES: tuple[str | None, ...] = (None, "de", "en")
DOWNLOAD_SIZE = "original"


def rank_images(
    images: Iterable[TmdbImage], languages: Sequence[str | None] = POSTER_LANGUAGES
) -> list[TmdbImage]:
    """``images`` best first: by position of their language in ``languages``, then votes."""

    def key(image: TmdbImage) -> tuple[int, float, int, int]:
        language = image.iso_639_1 or None
        rank = languages.index(language) if language in languages else len(languages)
        return (rank, -image.vote_average, -image.vote_count, -image.width)

    return sorted(images, key=key)


def best_image_path(
    images: Iterable[TmdbImage],
    languages: Sequence[str | None] = POSTER_LANGUAGES,
    fallback: str = "",
) -> str:
    """File path of the best image, or ``fallback`` (TMDB's own pick) when there is none."""
    ranked = rank_images(images, languages)
    return ranked[0].file_path if ranked else fallback


def logo_path(path: str) -> str:
    # TMDB serves every SVG logo as PNG too when asked with .png; Kodi and
    # Jellyfin read PNG, not SVG.
    return path[: -len(".svg")] + ".png" if path.lower().endswith(".svg") else path


def season_poster_name(season: int) -> str:
    # Kodi and Jellyfin both name the specials' poster this way, not season00.
    return "season-specials-poster.jpg" if season == 0 else f"season{season:02d}-poster.jpg"


def artwork_paths(
    details: TvDetails, season_posters: dict[int, str] | None = None
) -> dict[str, str]:
    """File name → TMDB file path ("" when TMDB has no such image).

    ``season_posters`` (our season → poster path) replaces TMDB's own season
    numbers when TMDB's seasons were mapped onto ours (``nfo.season_mapping``).
    """
    paths = {
        "poster.jpg": best_image_path(details.images.posters, fallback=details.poster_path),
        "fanart.jpg": best_image_path(
            details.images.backdrops, FANART_LANGUAGES, fallback=details.backdrop_path
        ),
        "clearlogo.png": logo_path(best_image_path(details.images.logos)),
    }
    if season_posters is not None:
        paths.update({season_poster_name(n): path for n, path in season_posters.items()})
        return paths
    for season in details.seasons:
        if season.poster_path:
            paths[season_poster_name(season.number)] = season.poster_path
    return paths


@dataclass
class ArtworkReport:
    """What ``download_artwork`` did, by file name."""

    written: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)  # TMDB has no such image
    failed: dict[str, str] = field(default_factory=dict)  # file name → reason

    @property
    def ok(self) -> bool:
        return not self.failed


def images_client() -> SiteClient:
    return client_for(
        "tmdb-images",
        settings.TMDB_IMAGE_URL,
        ClientPolicy(
            timeout=60.0,
            retries=settings.REMOTE_RETRIES,
            backoff=settings.REMOTE_BACKOFF_SECONDS,
            # A CDN without a published limit; one series has a handful of images.
            requests_per_second=20.0,
            # An API that does not fingerprint clients: plain httpx will do.
            browser=False,
            max_concurrency=2,
        ),
    )


def download_artwork(
    details: TvDetails,
    folder: Path,
    *,
    force: bool = False,
    season_posters: dict[int, str] | None = None,
) -> ArtworkReport:
    """Write poster, fanart, clear logo and season posters of a series into ``folder``.

    A file that is already there and is a complete image is kept unless ``force``;
    a broken one is replaced. One failed image does not stop the others.
    """
    folder = Path(folder)
    report = ArtworkReport()
    client = images_client()
    for name, path in artwork_paths(details, season_posters).items():
        target = folder / name
        if not force and is_good_image_file(target):
            report.kept.append(name)
            continue
        if not path:
            report.unavailable.append(name)
            continue
        try:
            response = client.get(image_url(settings.TMDB_IMAGE_URL, path, DOWNLOAD_SIZE))
            check_image(response.content, response.headers.get("content-type", ""))
        except RemoteError as exc:
            report.failed[name] = exc.message
            continue
        except NotAnImage as exc:
            report.failed[name] = str(exc)
            continue
        write_library_file(target, response.content)
        report.written.append(name)
    return report
