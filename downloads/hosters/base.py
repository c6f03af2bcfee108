"""The contract every hoster extractor fulfils: embed page in, direct media out.

An index site links each episode to embed pages on video hosters. An extractor
reads such a page (and whatever it points to) and returns a ``MediaSource``: the
URL the downloader (downloads.media) fetches, whether it is an HLS playlist or a
plain file, and the headers the hoster's media server insists on. Failures are
``ExtractionError``s whose ``retryable`` says whether a later try may succeed.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar, Literal
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from aniworld.errors import RemoteError, RemoteStatusError
from aniworld.http import ClientPolicy, SiteClient, client_for

MediaKind = Literal["hls", "http"]


@dataclass(frozen=True)
class MediaSource:
    """A directly downloadable stream and the headers its server wants."""

    url: str
    kind: MediaKind
    headers: dict[str, str] = field(default_factory=dict)


class ExtractionError(RemoteError):
    """The hoster did not give us a media URL.

    ``retryable`` is True for network failures and 5xx/429 answers, False when
    the video is gone (404/410) or the page holds no source we understand.
    """

    code = "EXTRACTION_FAILED"

    def __init__(self, message: str, *, hoster: str, status_code: int | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.hoster = hoster
        self.status_code = status_code


class UnsupportedHoster(ExtractionError):
    """No extractor exists for this hoster name (e.g. Streamtape); try the next one."""

    code = "UNSUPPORTED_HOSTER"


class HosterChallenge(ExtractionError):
    """The hoster answered with a bot check (Cloudflare, Turnstile, ALTCHA) instead of
    its page: only a person in a browser gets past it."""

    code = "HOSTER_CHALLENGE"


# Markers of a check page, lower case. Not Cloudflare's "challenge-platform" script:
# it rides along on ordinary pages behind Cloudflare too.
CHALLENGE_MARKERS = (
    "just a moment...",
    "cf_chl_",
    "cf-turnstile",
    "challenges.cloudflare.com/turnstile",
    "<altcha-widget",
    "ddos-guard",
)


def is_challenge_page(text: str) -> bool:
    head = text[:20000].lower()
    return any(marker in head for marker in CHALLENGE_MARKERS)


@dataclass(frozen=True)
class Page:
    url: str  # after redirects: relative links and the Referer are based on it
    text: str

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    def resolve(self, url: str) -> str:
        """``url`` as found in the page's scripts, made absolute."""
        # Scripts often carry JSON-escaped slashes (``https:\/\/cdn…``).
        return urljoin(self.url, url.strip().replace("\\/", "/"))


def media_kind(url: str) -> MediaKind:
    """HLS when the URL names a playlist; hosters label nothing else reliably."""
    return "hls" if ".m3u8" in url.lower() else "http"


def quoted(pattern: str) -> str:
    """A regex for ``pattern`` inside single or double quotes, capturing the value.

    Use ``(?P<value>...)`` style: the caller's pattern describes the value; the
    quote that opened it must close it, so URLs holding the other quote survive.
    """
    return rf"(?P<quote>[\"'])(?P<value>{pattern})(?P=quote)"


class HosterExtractor(ABC):
    """Turns one hoster's embed page into a ``MediaSource``."""

    name: ClassVar[str]

    def __init__(self, client: SiteClient | None = None):
        """``client`` defaults to this hoster's shared, rate-limited client."""
        self.client = client or client_for(
            self.name,
            policy=ClientPolicy(
                retries=settings.REMOTE_RETRIES,
                backoff=settings.REMOTE_BACKOFF_SECONDS,
                # The embed URL comes from an index site: a remote's word.
                guard_addresses=True,
            ),
        )

    @abstractmethod
    def extract(self, embed_url: str) -> MediaSource:
        """Find the media behind ``embed_url`` or raise ``ExtractionError``."""

    def fetch(self, url: str, *, referer: str | None = None) -> Page:
        """GET ``url`` through the shared client; remote failures become ``ExtractionError``."""
        url = self._absolute(url)
        headers = {"Referer": referer} if referer else {}
        try:
            response = self.client.get(url, headers=headers)
        except RemoteError as exc:
            body = exc.details.get("body", "") if isinstance(exc, RemoteStatusError) else ""
            if is_challenge_page(body):
                raise self.challenge(url) from exc
            raise self.error(
                exc.message,
                url,
                retryable=exc.retryable,
                status_code=getattr(exc, "status_code", None),
            ) from exc
        return Page(url=str(response.url), text=response.text)

    def media(self, url: str, page: Page) -> MediaSource:
        """The ``MediaSource`` for ``url`` found on ``page``.

        Hoster CDNs check that the request looks like it comes from their
        player, so every media request carries the headers of the browser the
        client imitates, the cookies the hoster gave it and the embed page's
        origin as Referer.
        """
        absolute = page.resolve(url)
        headers = {**self.client.browser_headers(), "Referer": page.origin + "/"}
        cookies = self.client.cookies_for(absolute)
        if cookies:
            headers["Cookie"] = cookies
        return MediaSource(url=absolute, kind=media_kind(absolute), headers=headers)

    def error(
        self,
        message: str,
        url: str,
        *,
        retryable: bool = False,
        status_code: int | None = None,
    ) -> ExtractionError:
        return ExtractionError(
            message,
            url=url,
            hoster=self.name,
            retryable=retryable,
            status_code=status_code,
            details={"hoster": self.name, "url": url},
        )

    def challenge(self, url: str) -> HosterChallenge:
        return HosterChallenge(
            f"{self.name} asked for a browser check (bot protection) at {url}",
            url=url,
            hoster=self.name,
            details={"hoster": self.name, "url": url},
        )

    def no_source(self, page: Page, missing: str) -> ExtractionError:
        """The page loaded but holds no source: a removed video or a new layout, or a
        check page in its place (only then: a real player may carry a widget too)."""
        if is_challenge_page(page.text):
            return self.challenge(page.url)
        return self.error(
            f"{self.name}: no video source on {page.url} ({missing} not found; "
            "the video may have been removed or the page layout changed)",
            page.url,
        )

    def _absolute(self, url: str) -> str:
        url = url.strip()
        if url.startswith("//"):
            url = "https:" + url
        if urlsplit(url).scheme not in ("http", "https"):
            raise self.error(f"{self.name}: not a web address: {url!r}", url)
        return url


def find(pattern: str, text: str, flags: int = re.IGNORECASE) -> str | None:
    """The ``value`` group (or the whole match) of the first match, or None."""
    match = re.search(pattern, text, flags)
    if not match:
        return None
    return match.group("value") if "value" in match.re.groupindex else match.group(0)
