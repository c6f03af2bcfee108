"""The new-episode watch: the index sites' "new episodes" lists → the download queue.

aniworld.to lists one row per episode *and language*; s.to's current layout has
no such list (its provider answers ``[]``). Rows are matched to series in the
library by site and key, else by name (entities decoded, case and spacing
ignored, alternative titles too); rows of series not in the library are
ignored. Each matched episode is queued once, in the most preferred language it
is offered in — when a row lists a language the owner wants, the episode is not
on disk yet (or the new language is an upgrade), and it is not queued already.
An episode the database does not know yet (or not in the listed language)
makes us refresh its series from the index first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from aniworld.errors import RemoteError
from downloads.queue import add_episodes
from library import signals
from library.languages import best_language, is_upgrade, preferred_order
from library.models import Episode, Series
from library.providers import PROVIDERS, NewEpisode
from library.providers.base import clean_text
from library.sync import sync_series

log = logging.getLogger(__name__)


@dataclass
class WatchResult:
    entries: int = 0
    ignored: int = 0  # rows of series that are not in the library
    queued: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    refreshed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "entries": self.entries,
            "ignored": self.ignored,
            "queued": self.queued,
            "skipped": self.skipped,
            "refreshed": self.refreshed,
        }


def name_key(name: str) -> str:
    return " ".join(clean_text(name).casefold().split())


def read_lists(result: WatchResult) -> list[NewEpisode]:
    entries: list[NewEpisode] = []
    for site, provider in PROVIDERS.items():
        try:
            entries += provider.new_episodes()
        except RemoteError as exc:
            log.warning("reading the new episodes of %s failed: %s", site, exc.message)
            result.errors.append(f"{site}: {exc.message}")
    result.entries = len(entries)
    return entries


class LibraryIndex:
    """Series of the library by (site, key) and by (site, name)."""

    def __init__(self) -> None:
        self.by_key: dict[tuple[str, str], Series] = {}
        self.by_name: dict[tuple[str, str], Series] = {}
        for series in Series.objects.all():
            self.by_key[(series.site, series.key)] = series
            for name in [series.name, *series.alternative_titles]:
                self.by_name.setdefault((series.site, name_key(name)), series)

    def find(self, entry: NewEpisode) -> Series | None:
        return self.by_key.get((entry.site, entry.series_key)) or self.by_name.get(
            (entry.site, name_key(entry.series_name))
        )


def watch() -> WatchResult:
    result = WatchResult()
    library = LibraryIndex()
    # (series id, season, episode) → the languages its rows list (None: no flag shown).
    wanted: dict[tuple[int, int, int], set[str | None]] = {}
    series_by_id: dict[int, Series] = {}
    for entry in read_lists(result):
        series = library.find(entry)
        if series is None:
            result.ignored += 1
            continue
        series_by_id[series.id] = series
        language = str(entry.language) if entry.language else None
        wanted.setdefault((series.id, entry.season, entry.episode), set()).add(language)

    order = preferred_order()
    refreshed: set[int] = set()
    found: list[Episode] = []
    for (series_id, season, number), listed in wanted.items():
        series = series_by_id[series_id]
        label = f"{series.key} S{season:02d}E{number:02d}"
        known = {language for language in listed if language}
        if known and not known & set(order):
            result.skipped.append(f"{label}: listed only in languages you do not download")
            continue
        episode = _episode(series, season, number)
        if (episode is None or not known <= set(episode.languages)) and series_id not in refreshed:
            refreshed.add(series_id)
            _refresh(series, result)
            episode = _episode(series, season, number)
        reason = _reason_to_skip(episode, order)
        if reason:
            result.skipped.append(f"{label}: {reason}")
            continue
        language = best_language(episode.languages, order)
        with transaction.atomic():
            outcome = add_episodes(series, [(season, number)], language=language)
        if outcome.added:
            result.queued.append(f"{label} ({language})")
            found.append(episode)
        else:
            result.skipped += [f"{label}: {skip['reason']}" for skip in outcome.skipped]
    log.info(
        "new-episode watch: %d rows, %d queued, %d skipped, %d of series not in the library",
        result.entries,
        len(result.queued),
        len(result.skipped),
        result.ignored,
    )
    if found:
        announce_new_episodes(found)
    return result


def announce_new_episodes(episodes: list[Episode]) -> None:
    for receiver, outcome in signals.new_episodes_found.send_robust(
        sender=Series, episodes=episodes
    ):
        if isinstance(outcome, Exception):
            log.error("new episodes: %s failed: %r", receiver, outcome)


def _episode(series: Series, season: int, number: int) -> Episode | None:
    return Episode.objects.filter(series=series, season=season, number=number).first()


def _refresh(series: Series, result: WatchResult) -> None:
    outcome = sync_series(series, remote=True)
    result.refreshed.append(series.key)
    if outcome.error:
        result.errors.append(f"{series.key}: {outcome.error}")


def _reason_to_skip(episode: Episode | None, order: list[str]) -> str:
    if episode is None:
        return "not on the series' page yet"
    if episode.is_announced:
        return "announced, no stream yet"
    if best_language(episode.languages, order) is None:
        return "not offered in a language you download"
    if episode.is_downloaded and not is_upgrade(
        episode.downloaded_language, episode.languages, order
    ):
        return "already downloaded"
    return ""
