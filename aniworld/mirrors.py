"""Mirrors of the index sites: which base URL to use, and which ones failed.

Each site has an ordered list of base URLs (DESIGN.md, "Reaching the sites"),
first preferred. A mirror that fails (no connection, a DNS failure or block, a
403/451 that is not a bot check, a CUII notice page) is marked with the time and
the reason, and requests go to the next one. The state lives in Django's cache,
which every process of an installation shares (files or Redis), so the web
process and the worker agree on the mirror in use. A failure counts for
``RETRY_PREFERRED_AFTER``; then the preferred mirror is tried again.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.cache import cache

from aniworld import config

RETRY_PREFERRED_AFTER = 600.0
# Sites by name, with the config.json key of their mirror list.
SITE_KEYS = {"aniworld.to": "aniworld_urls", "s.to": "sto_urls"}

# Text of block notices, lower case: German ISPs' CUII page and DNS-block notices.
BLOCK_PAGE_MARKERS = (
    "clearingstelle urheberrecht im internet",
    "cuii.info",
    "notice.cuii",
    "dns-sperre",
    "aufgrund einer empfehlung der cuii",
)


def site_mirrors(site: str) -> list[str]:
    """The configured base URLs of ``site``, first preferred, without trailing slashes."""
    return [url.rstrip("/") for url in config.current()["sites"][SITE_KEYS[site]]]


def all_mirrors() -> list[str]:
    return [url for site in SITE_KEYS for url in site_mirrors(site)]


def looks_like_block_page(text: str) -> bool:
    head = text[:20000].lower()
    return any(marker in head for marker in BLOCK_PAGE_MARKERS)


def split_on_mirror(url: str, mirrors: list[str]) -> tuple[str, str] | None:
    """``(mirror, path)`` when ``url`` lies under one of ``mirrors`` (longest prefix wins)."""
    parts = urlsplit(url)
    for mirror in sorted(mirrors, key=len, reverse=True):
        base = urlsplit(mirror)
        if (parts.scheme, parts.netloc.lower()) != (base.scheme, base.netloc.lower()):
            continue
        prefix = base.path.rstrip("/")
        if parts.path == prefix or parts.path.startswith(prefix + "/") or not prefix:
            rest = parts.path[len(prefix) :] or "/"
            query = f"?{parts.query}" if parts.query else ""
            return mirror, rest + query
    return None


def host_header(mirror: str, mirrors: list[str]) -> str | None:
    """A bare-IP mirror serves the site by name: send the first domain mirror's host."""
    host = urlsplit(mirror).hostname or ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return None
    for other in mirrors:
        name = urlsplit(other).hostname or ""
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return name
    return None


@dataclass(frozen=True)
class MirrorState:
    url: str
    preferred: bool
    in_use: bool
    last_failure_at: float | None
    last_error: str
    last_success_at: float | None

    def as_dict(self) -> dict:
        return {
            "url": self.url,
            "preferred": self.preferred,
            "in_use": self.in_use,
            "last_failure_at": _iso(self.last_failure_at),
            "last_error": self.last_error,
            "last_success_at": _iso(self.last_success_at),
        }


class MirrorBook:
    """The shared record of one site's mirrors."""

    def __init__(self, site: str, mirrors: list[str]):
        self.site = site
        self.mirrors = mirrors
        self.key = f"aniworld:mirrors:{site}"

    def _read(self) -> dict:
        return cache.get(self.key) or {}

    def _write(self, record: dict) -> None:
        cache.set(self.key, record, timeout=None)

    def candidates(self) -> list[str]:
        """Mirrors in the order to try now: healthy ones in configured order, then the
        recently failed ones, the longest-ago failure first (better than nothing)."""
        record = self._read()
        now = time.time()
        healthy, failed = [], []
        for url in self.mirrors:
            failed_at = record.get(url, {}).get("failed_at")
            if failed_at and now - failed_at < RETRY_PREFERRED_AFTER:
                failed.append((failed_at, url))
            else:
                healthy.append(url)
        return healthy + [url for _, url in sorted(failed)]

    def in_use(self) -> str:
        return self.candidates()[0]

    def failed(self, url: str, reason: str) -> None:
        record = self._read()
        entry = record.setdefault(url, {})
        now = time.time()
        # ``failed_at`` steers the order and is cleared by a success; the last
        # failure itself stays on record for the health page.
        entry.update(failed_at=now, last_failure_at=now, error=reason[:300])
        self._write(record)

    def succeeded(self, url: str) -> None:
        record = self._read()
        entry = record.setdefault(url, {})
        if entry.get("failed_at") is None and entry.get("succeeded_at", 0) > time.time() - 60:
            return  # written a minute ago: spare the shared cache a write per request
        entry.update(failed_at=None, succeeded_at=time.time())
        self._write(record)

    def states(self) -> list[MirrorState]:
        record = self._read()
        current = self.in_use()
        return [
            MirrorState(
                url=url,
                preferred=index == 0,
                in_use=url == current,
                last_failure_at=record.get(url, {}).get("last_failure_at"),
                last_error=record.get(url, {}).get("error", ""),
                last_success_at=record.get(url, {}).get("succeeded_at"),
            )
            for index, url in enumerate(self.mirrors)
        ]


def book(site: str) -> MirrorBook:
    return MirrorBook(site, site_mirrors(site))


def overview() -> dict[str, dict]:
    """Per site: the mirror in use and every mirror's last failure (health, System page)."""
    result = {}
    for site in SITE_KEYS:
        mirror_book = book(site)
        result[site] = {
            "in_use": mirror_book.in_use(),
            "mirrors": [state.as_dict() for state in mirror_book.states()],
        }
    return result


def _iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(timestamp))
