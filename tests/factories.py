"""Rows for tests, each built by one small function with defaults a test overrides by
keyword (paperless-ngx's ``factories.py``, without a library), and the API steps that
put the fake aniworld.to's Attack on Titan into the library and queue its episodes.

Importable from every app's tests: pytest's rootdir is the repository, so ``tests``
is a package beside the apps.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from downloads.models import DownloadItem
from history.models import Event, HistoryEvent
from library.models import Episode, Series

# The fake aniworld.to's main series (tests/fakes/index_sites.py); its episodes lead to
# the fake hosters once the ``world`` fixture has connected them.
AOT = "attack-on-titan"


# -- rows ------------------------------------------------------------------------


def make_series(
    key: str = "frieren", name: str = "", *, folder: str = "", library: Path | None = None, **fields
) -> Series:
    """A series row; ``name`` defaults to the key as words, ``folder`` to the name.
    With ``library`` (a library root) the folder is created on disk too."""
    name = name or key.replace("-", " ").title()
    folder = folder or name
    if library is not None:
        (library / folder).mkdir(parents=True, exist_ok=True)
    return Series.objects.create(key=key, name=name, folder=folder, **fields)


def make_episode(series: Series, season: int = 1, number: int = 1, **fields) -> Episode:
    """An episode offered in German dub (``language_mask=1``) unless told otherwise."""
    fields.setdefault("language_mask", 1)
    return Episode.objects.create(series=series, season=season, number=number, **fields)


def make_season(
    series: Series, season: int = 1, numbers: Iterable[int] = range(1, 5), **fields
) -> list[Episode]:
    """The episodes ``numbers`` of one season, all with the same ``fields``."""
    return [make_episode(series, season, number, **fields) for number in numbers]


def make_item(episode: Episode, **fields) -> DownloadItem:
    """A queue item for the episode, pending unless ``status`` says otherwise."""
    return DownloadItem.objects.create(episode=episode, **fields)


def make_history_event(
    event: str = Event.IMPORTED,
    key: str = AOT,
    episode: int | None = 1,
    *,
    name: str = "Attack on Titan",
    season: int | None = 1,
    **fields,
) -> HistoryEvent:
    return HistoryEvent.objects.create(
        event=event, series_key=key, series_name=name, season=season, episode=episode, **fields
    )


# -- through the API, against the fake world -------------------------------------


def add_series(api, key: str = AOT, site: str = "aniworld.to") -> dict:
    """Add a series of the fake index site through the API (its episodes load inline,
    the tasks run in the test process); the series' detail as the API answered it."""
    response = api.post("/api/anime/", {"key": key, "site": site}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def queue_episode(
    api, season: int = 1, episode: int = 2, *, key: str = AOT, **extra
) -> DownloadItem:
    """Queue one episode through the API; with the queue running, the inline worker has
    downloaded it (or failed) by the time this returns. ``extra``: ``language``,
    ``priority`` … of ``POST /api/queue/add``."""
    body = {"series_key": key, "episodes": [{"season": season, "episode": episode}], **extra}
    response = api.post("/api/queue/add", body, format="json")
    assert response.status_code == 201, response.json()
    return DownloadItem.objects.get(id=response.json()["added"][0]["id"])
