"""Index-site providers by site name, and recognition of pasted series URLs.

provider = get_provider("aniworld.to")
provider, key = provider_for_url("https://s.to/serie/dark/staffel-1/episode-2")
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from aniworld import mirrors
from aniworld.errors import ValidationFailed
from library.providers.aniworld import AniworldProvider
from library.providers.base import (
    EpisodeInfo,
    HosterLink,
    NewEpisode,
    Provider,
    ProviderError,
    SearchResult,
    SeriesInfo,
)
from library.providers.sto import StoProvider

__all__ = [
    "PROVIDERS",
    "EpisodeInfo",
    "HosterLink",
    "NewEpisode",
    "Provider",
    "ProviderError",
    "SearchResult",
    "SeriesInfo",
    "UnsupportedSite",
    "UnsupportedUrl",
    "get_provider",
    "provider_for_url",
]

PROVIDERS: dict[str, Provider] = {
    provider.site: provider for provider in (AniworldProvider(), StoProvider())
}

# Recognised by path, not host: mirrors and local imitations have other hosts.
# Anything after the key (season, episode, films) is allowed and ignored.
SERIES_URL_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^/anime/stream/(?P<key>[^/]+)"), "aniworld.to"),
    (re.compile(r"^/serie/stream/(?P<key>[^/]+)"), "s.to"),  # legacy s.to
    (re.compile(r"^/serie/(?!stream(?:/|$))(?P<key>[^/]+)"), "s.to"),  # s.to since 2026
)
# What a series key may be (the sites use slugs); a URL's path is percent-decoded
# first, so "%2e%2e" or "%00" must not pass for a key.
SERIES_KEY = re.compile(r"[A-Za-z0-9_-]+")


class UnsupportedSite(ValidationFailed):
    def __init__(self, site: str):
        sites = ", ".join(PROVIDERS)
        super().__init__(
            f"Unknown site {site!r}; choose one of {sites}.", details={"site": [f"one of {sites}"]}
        )


class UnsupportedUrl(ValidationFailed):
    def __init__(self, url: str):
        super().__init__(
            f"{url!r} is not a series URL of aniworld.to or s.to.",
            details={"url": ["must be an aniworld.to or s.to series, season or episode URL"]},
        )


def get_provider(site: str) -> Provider:
    try:
        return PROVIDERS[site.strip().lower()]
    except KeyError:
        raise UnsupportedSite(site) from None


def provider_for_url(url: str) -> tuple[Provider, str]:
    """The provider and series key of a pasted series, season or episode URL."""
    text = url.strip()
    if "://" not in text and not text.startswith("/"):
        text = f"https://{text}"  # "aniworld.to/anime/stream/…" pasted without a scheme
    try:
        path = unquote(urlsplit(_after_mirror_prefix(text)).path)
    except ValueError:  # e.g. "Invalid IPv6 URL" for a stray "["
        raise UnsupportedUrl(url) from None
    for pattern, site in SERIES_URL_PATTERNS:
        match = pattern.match(path)
        if match and SERIES_KEY.fullmatch(match.group("key")):
            return PROVIDERS[site], match.group("key")
    raise UnsupportedUrl(url)


def _after_mirror_prefix(url: str) -> str:
    """``url`` without the path prefix of the configured mirror it lies under
    (``http://nas:8080/aw/anime/stream/x`` → ``/anime/stream/x``); else unchanged."""
    on_mirror = mirrors.split_on_mirror(url, mirrors.all_mirrors())
    return on_mirror[1] if on_mirror is not None else url
