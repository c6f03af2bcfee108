"""The contract every index-site provider keeps, and the helpers they share.

A provider turns one streaming index (aniworld.to, s.to) into typed records:
``search`` → ``SearchResult``, ``series`` → ``SeriesInfo``, ``episodes`` →
``EpisodeInfo``, ``links`` → ``HosterLink``, ``resolve`` → the hoster's embed
URL, ``new_episodes`` → ``NewEpisode``. All HTTP goes through the shared
``SiteClient`` of the site, so challenge pages surface as ``ChallengeError`` and
transient failures are retried there.

The sites change their markup without notice. Parsers therefore look elements
up through a ``Page``, which raises ``ProviderError`` naming the page URL and
the missing element instead of letting an ``AttributeError`` escape.
"""

from __future__ import annotations

import copy
import html
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, Tag
from django.conf import settings

from aniworld import mirrors
from aniworld.errors import RemoteError, RemoteStatusError
from aniworld.hosters import hoster_named
from aniworld.http import ClientPolicy, SiteClient, client_for
from aniworld.languages import Language


@dataclass(frozen=True)
class SearchResult:
    key: str
    name: str
    site: str
    url: str
    year: int | None = None
    cover_url: str | None = None
    description: str = ""


@dataclass(frozen=True)
class SeriesInfo:
    key: str
    site: str
    name: str
    url: str
    alternative_titles: list[str] = field(default_factory=list)
    year_start: int | None = None
    year_end: int | None = None
    description: str = ""
    cover_url: str | None = None
    genres: list[str] = field(default_factory=list)
    fsk: int | None = None
    imdb_id: str | None = None
    directors: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    # Sorted; 0 stands for the films when the site lists any.
    season_numbers: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class EpisodeInfo:
    season: int
    number: int
    url: str
    title_de: str = ""
    title_en: str = ""
    languages: frozenset[Language] = frozenset()
    hosters: list[str] = field(default_factory=list)

    @property
    def available(self) -> bool:
        """False for an episode the site only announces: it has no hoster yet."""
        return bool(self.hosters)


@dataclass(frozen=True)
class HosterLink:
    hoster: str
    language: Language
    # The index site's own redirect (``/redirect/<id>`` or ``/r?t=…``); ``resolve`` it.
    redirect_url: str
    link_id: str = ""


@dataclass(frozen=True)
class NewEpisode:
    series_name: str
    series_key: str
    season: int
    episode: int
    language: Language | None
    url: str
    site: str
    published: date | None = None


class ProviderError(RemoteError):
    """A page lacks an element we rely on: the site's layout probably changed."""

    code = "PROVIDER_LAYOUT"
    retryable = False

    def __init__(self, site: str, url: str, element: str, what: str = ""):
        described = f"{what} ({element})" if what else element
        super().__init__(
            f"{site}: the page {url} has no {described}; the site's layout may have changed",
            url=url,
            details={"site": site, "url": url, "element": element},
        )
        self.site = site
        self.element = element


def clean_text(value: str | None) -> str:
    """Text with leftover entities decoded (pages that escape twice: "&amp;#039;")
    and whitespace collapsed."""
    text = value or ""
    for _ in range(2):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return " ".join(text.split())


def markup_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment found in JSON (search titles carry ``<em>``)."""
    return clean_text(re.sub(r"<[^>]*>", "", fragment or ""))


def first_int(value: str | None) -> int | None:
    match = re.search(r"\d+", value or "")
    return int(match.group()) if match else None


def canonical_hoster(name: str) -> str:
    """``"voe"``, ``"Hoster VOE"``, ``"Dood Stream"`` → the project's spelling."""
    text = re.sub(r"^hoster\s+", "", clean_text(name), flags=re.IGNORECASE)
    hoster = hoster_named(text)
    return hoster.value if hoster else text


def language_from_flag(name: str) -> Language | None:
    """Language of a flag named like ``german.svg`` or ``svg-flag-japanese-german``.

    One part names the audio (a dub); two parts name audio and subtitles, and we
    only care about the subtitle language then.
    """
    stem = name.rsplit("/", 1)[-1].split("?", 1)[0].lower()
    stem = re.sub(r"\.(svg|png|gif|jpe?g|webp)$", "", stem).removeprefix("svg-flag-")
    parts = stem.split("-")
    if len(parts) == 1:
        return Language.of(parts[0], "dub")
    if len(parts) == 2:
        return Language.of(parts[1], "sub")
    return None


def image_url(img: Tag) -> str:
    """The real image of a lazy-loaded ``img``: ``data-src`` first, a data: ``src`` never."""
    for attribute in ("data-src", "data-lazy-src", "src"):
        value = (img.get(attribute) or "").strip()
        if value and not value.startswith("data:"):
            return value
    return ""


Selector = str | tuple[str, ...]


class Page:
    """A parsed page plus the provider's selectors; missing elements raise ``ProviderError``."""

    def __init__(self, site: str, url: str, markup: str, selectors: Mapping[str, Selector]):
        self.site = site
        self.url = url
        self.soup = BeautifulSoup(markup, "lxml")
        self.selectors = selectors
        # ``<noscript>`` copies of lazy images would count every flag twice.
        for noscript in self.soup.find_all("noscript"):
            noscript.decompose()

    def find(self, name: str, scope: Tag | None = None) -> Tag | None:
        root = scope if scope is not None else self.soup
        for css in self._alternatives(name):
            found = root.select_one(css)
            if found is not None:
                return found
        return None

    def find_all(self, name: str, scope: Tag | None = None) -> list[Tag]:
        root = scope if scope is not None else self.soup
        for css in self._alternatives(name):
            found = root.select(css)
            if found:
                return found
        return []

    def require(self, name: str, scope: Tag | None = None, what: str = "") -> Tag:
        found = self.find(name, scope)
        if found is None:
            raise self.missing(name, what)
        return found

    def has(self, name: str) -> bool:
        return self.find(name) is not None

    def with_selectors(self, selectors: Mapping[str, Selector]) -> Page:
        """The same parsed document read through another provider's selectors."""
        other = copy.copy(self)
        other.selectors = selectors
        return other

    def text(self, name: str, scope: Tag | None = None) -> str:
        found = self.find(name, scope)
        return clean_text(found.get_text(" ")) if found is not None else ""

    def missing(self, name: str, what: str = "") -> ProviderError:
        return ProviderError(self.site, self.url, self._alternatives(name)[0], what or name)

    def absolute(self, href: str) -> str:
        return urljoin(self.url, href.strip())

    def internal(self, href: str) -> str:
        """An absolute URL on *this* page's origin, even when the page links the
        canonical domain: mirrors (and local imitations) must keep talking to
        the host we were configured with."""
        parts = urlsplit(self.absolute(href))
        origin = urlsplit(self.url)
        query = f"?{parts.query}" if parts.query else ""
        return f"{origin.scheme}://{origin.netloc}{parts.path}{query}"

    @contextmanager
    def parsing(self) -> Iterator[None]:
        """Turn the crashes of markup we did not foresee into a ``ProviderError``."""
        try:
            yield
        except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
            raise ProviderError(
                self.site, self.url, f"unexpected markup: {type(exc).__name__}: {exc}"
            ) from exc

    def _alternatives(self, name: str) -> tuple[str, ...]:
        selector = self.selectors[name]
        return (selector,) if isinstance(selector, str) else selector


class EndpointUnusable(Exception):
    """A JSON endpoint is gone (404/405) or answered something else than JSON."""


def client_policy() -> ClientPolicy:
    return ClientPolicy(
        detect_challenge=True,
        retries=settings.REMOTE_RETRIES,
        backoff=settings.REMOTE_BACKOFF_SECONDS,
        requests_per_second=settings.INDEX_REQUESTS_PER_SECOND,
        max_concurrency=2,
    )


class Provider(ABC):
    """One streaming index. Subclasses parse; this class fetches and resolves."""

    site: ClassVar[str]
    # Paths on the site that only redirect to a hoster (followed by ``resolve``).
    redirect_path: ClassVar[re.Pattern[str]] = re.compile(r"^/(redirect/[^/]+|r)/?$")
    max_redirect_hops: ClassVar[int] = 5

    @property
    def mirrors(self) -> list[str]:
        """Read at call time: the owner may edit the mirror list while we run."""
        return mirrors.site_mirrors(self.site)

    @property
    def base_url(self) -> str:
        """The mirror in use now; the client fails over to the next when it breaks."""
        return self.client.base_url

    @property
    def client(self) -> SiteClient:
        return client_for(self.site, policy=client_policy(), mirrors=self.mirrors)

    @abstractmethod
    def search(self, query: str) -> list[SearchResult]: ...

    @abstractmethod
    def series(self, key: str) -> SeriesInfo: ...

    @abstractmethod
    def episodes(self, key: str, season: int) -> list[EpisodeInfo]:
        """Episodes of one season; season 0 is the films."""

    @abstractmethod
    def links(self, episode_url: str) -> list[HosterLink]:
        """Hoster links of an episode page; empty when the episode is only announced."""

    @abstractmethod
    def series_url(self, key: str) -> str: ...

    def new_episodes(self) -> list[NewEpisode]:
        """Episodes the site lists as newly added; sites without such a list give []."""
        return []

    def all_episodes(
        self, key: str, seasons: Sequence[int] | None = None
    ) -> dict[int, list[EpisodeInfo]]:
        """Episodes of several seasons (all the series page lists when ``seasons`` is None)."""
        if seasons is None:
            seasons = self.series(key).season_numbers
        return {season: self.episodes(key, season) for season in seasons}

    def resolve(self, redirect_url: str) -> str:
        """The hoster embed URL behind one of the site's redirect links.

        We follow the site's own redirect hops only and stop at the first
        location elsewhere: fetching the hoster page is the extractor's job
        (with its own client), not the index site's.
        """
        url = self.on_site(redirect_url)
        for _ in range(self.max_redirect_hops):
            response = self.client.get(url, follow_redirects=False)
            location = response.headers.get("location", "").strip()
            if not response.is_redirect or not location:
                raise ProviderError(
                    self.site, url, "redirect (Location header)", "redirect to a hoster"
                )
            # The answer may come from another mirror than asked (failover).
            url = response.url
            target = urljoin(url, location)
            here, there = urlsplit(url), urlsplit(target)
            if there.netloc != here.netloc or not self.redirect_path.match(there.path):
                return target
            url = target
        raise ProviderError(self.site, url, "redirect target", "end of the redirect chain")

    def on_site(self, url: str) -> str:
        """``url`` (site-relative, or absolute on any mirror or the old domain) on the
        mirror in use, so stored links survive a change of mirror."""
        return f"{self.base_url}{self.relative(url)}"

    def relative(self, url: str) -> str:
        """The site-relative part of ``url``: what the library stores."""
        text = url.strip()
        on_mirror = mirrors.split_on_mirror(text, self.mirrors)
        if on_mirror is not None:
            return on_mirror[1]
        parts = urlsplit(text)
        query = f"?{parts.query}" if parts.query else ""
        return f"{parts.path or '/'}{query}"

    # -- helpers for subclasses ------------------------------------------------

    def fetch_page(self, url: str, selectors: Mapping[str, Selector]) -> Page:
        response = self.client.get(url)
        return Page(self.site, str(response.url), response.text, selectors)

    def fetch_json(self, method: str, path: str, **kwargs: Any) -> Any:
        """Decoded JSON of an endpoint; ``EndpointUnusable`` when it is gone or not JSON."""
        headers = {"X-Requested-With": "XMLHttpRequest", "Accept": "application/json"}
        try:
            response = self.client.request(method, path, headers=headers, **kwargs)
        except RemoteStatusError as exc:
            if exc.status_code in (404, 405, 410):
                raise EndpointUnusable(f"{path}: HTTP {exc.status_code}") from exc
            raise
        try:
            return json.loads(response.text)
        except ValueError as exc:
            raise EndpointUnusable(f"{path}: not JSON") from exc

    def search_in_order(
        self, query: str, endpoints: Sequence[tuple[str, Callable[[str], list[SearchResult]]]]
    ) -> list[SearchResult]:
        """Ask each search endpoint in turn until one of them is usable."""
        if not query.strip():
            return []
        for _, search in endpoints:
            try:
                return _unique_by_key(search(query.strip()))
            except EndpointUnusable:
                continue
        raise ProviderError(
            self.site,
            self.client.url(endpoints[-1][0]),
            " / ".join(path for path, _ in endpoints),
            "usable search endpoint",
        )


def _unique_by_key(results: list[SearchResult]) -> list[SearchResult]:
    seen: set[str] = set()
    unique = []
    for result in results:
        if result.key not in seen:
            seen.add(result.key)
            unique.append(result)
    return unique
