"""Trying one link of a queue item: resolve the redirect, extract the media, download it.

Transient failures are retried with backoff (a countdown in the item's stage);
a check page or a media fetch that already retried on its own is not, so the
next hoster gets its turn soon. Each try is counted for its hoster
(``hoster_stats``), and a failed one kept as an ``Attempt`` for the item's error.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from aniworld.errors import ChallengeError, RemoteError
from downloads import hoster_stats
from downloads.candidates import LinkChoice, UserLink, link_url
from downloads.errors import MediaDownloadError, MediaVerificationError
from downloads.events import Stage
from downloads.hosters import (
    ExtractionError,
    HosterChallenge,
    MediaSource,
    extract_any,
    get_extractor,
)
from downloads.media import download_media
from downloads.tracking import STOP_CHECK_INTERVAL, ItemTracker
from library.providers import HosterLink, get_provider

log = logging.getLogger(__name__)

TRANSIENT_RETRIES = 2
RETRY_BACKOFF_SECONDS = 2.0
# How often a retry's countdown ("retrying VOE 2/3 in 4 s") is brought up to date.
COUNTDOWN_STEP_SECONDS = 1.0


@dataclass
class Attempt:
    hoster: str
    language: str
    error: str
    blocked: bool = False
    url: str = ""


class LinkAttempts:
    """The tries of one item's links, writing into ``work_dir`` as ``<basename>.*``."""

    def __init__(
        self, tracker: ItemTracker, choice: LinkChoice, work_dir: Path, basename: str
    ) -> None:
        self.tracker = tracker
        self.item = tracker.item
        self.choice = choice
        self.work_dir = work_dir
        self.basename = basename
        # The hoster of the link being tried; a pasted link's once recognised.
        self.current_hoster = ""
        # Pages already read for this item: a retry does not fetch them again.
        self._embed_urls: dict[str, str] = {}
        self._sources: dict[str, MediaSource] = {}

    @property
    def hoster_name(self) -> str:
        return self.current_hoster or "the pasted link"

    def try_link(self, link: HosterLink | UserLink) -> Path:
        """Resolve, extract and download one link, retrying transient failures."""
        for attempt in range(TRANSIENT_RETRIES + 1):
            try:
                source = self.source(link)
                self.tracker.set_hoster(self.current_hoster)
                self.tracker.set_stage(Stage.DOWNLOADING, f"downloading from {self.hoster_name}")
                return download_media(
                    source,
                    self.work_dir,
                    self.basename,
                    on_progress=self.tracker.on_progress,
                    should_stop=self.tracker.should_stop,
                    on_stage=lambda stage, message: self.tracker.set_stage(
                        stage, f"{self.hoster_name}: {message}"
                    ),
                    **settings.DOWNLOAD_MEDIA_OPTIONS,
                )
            except RemoteError as exc:
                if not isinstance(exc, MediaDownloadError):
                    # The page failed, not the media: read it again next time.
                    self._sources.pop(link_url(link), None)
                # A check page stays a check page however often we ask; and the media
                # fetch retried transient failures itself, so retrying the whole link on
                # top would multiply the waits before the next hoster gets a turn.
                checked = isinstance(exc, ChallengeError)
                fetch_retried = isinstance(exc, MediaDownloadError) and not isinstance(
                    exc, MediaVerificationError
                )
                if checked or not exc.retryable or fetch_retried or attempt == TRANSIENT_RETRIES:
                    raise
                pause = RETRY_BACKOFF_SECONDS * (2**attempt) * settings.DOWNLOAD_BACKOFF_SCALE
                log.info("item %s: %s, retrying in %.1fs", self.item.id, exc.message, pause)
                self._sleep(
                    pause,
                    lambda left, attempt=attempt, exc=exc: (
                        f"retrying {self.hoster_name} "
                        f"{attempt + 2}/{TRANSIENT_RETRIES + 1} "
                        f"in {left} s ({exc.message})"
                    ),
                )
        raise AssertionError("unreachable")

    def source(self, link: HosterLink | UserLink) -> MediaSource:
        """The link's media source, resolving and extracting only what is not known yet."""
        url = link_url(link)
        if url in self._sources:
            return self._sources[url]
        self.tracker.set_stage(
            Stage.RESOLVING, f"resolving {link.hoster or 'the pasted link'} ({link.language})"
        )
        source = self.extract(link)
        self._sources[url] = source
        return source

    def extract(self, link: HosterLink | UserLink) -> MediaSource:
        """The media behind a link; a pasted link of unnamed hoster is recognised from its page."""
        if isinstance(link, HosterLink):
            embed_url = self._embed_urls.get(link.redirect_url)
            if embed_url is None:
                embed_url = get_provider(self.choice.series.site).resolve(link.redirect_url)
                self._embed_urls[link.redirect_url] = embed_url
            return get_extractor(link.hoster).extract(embed_url)
        if link.hoster:
            return get_extractor(link.hoster).extract(link.embed_url)
        self.current_hoster, source = extract_any(link.embed_url, self.choice.hoster_order())
        return source

    def failed(self, link: HosterLink | UserLink, exc: RemoteError) -> Attempt:
        # A check on the index site's redirect (ChallengeError) or on the hoster's page.
        blocked = isinstance(exc, ChallengeError | HosterChallenge)
        return Attempt(self.current_hoster, link.language, exc.message, blocked, link_url(link))

    def record(self, exc: RemoteError | None = None) -> None:
        """Count the try for its hoster, unless the index site failed before the hoster
        was reached (its errors are neither ExtractionError nor MediaDownloadError)."""
        if not self.current_hoster:
            return
        if exc is not None and not isinstance(exc, ExtractionError | MediaDownloadError):
            return
        hoster_stats.record(
            self.current_hoster,
            succeeded=exc is None,
            error=exc.message if exc is not None else "",
            item=self.item,
        )

    def _sleep(self, seconds: float, countdown=None) -> None:
        """Pause, noticing a stop; ``countdown(seconds_left)`` names the wait in the stage."""
        deadline = time.monotonic() + seconds
        next_update = 0.0
        while (left := deadline - time.monotonic()) > 0:
            self.tracker.check_stop(force=True)
            if countdown is not None and time.monotonic() >= next_update:
                self.tracker.set_stage(Stage.RETRYING, countdown(math.ceil(left)))
                next_update = time.monotonic() + COUNTDOWN_STEP_SECONDS
            time.sleep(min(STOP_CHECK_INTERVAL, left))
