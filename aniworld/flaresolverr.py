"""FlareSolverr: a headless browser that passes Cloudflare-style checks for us.

When a site answers with a bot check and ``FLARESOLVERR_URL`` is set, the page is
requested once through FlareSolverr (``POST {"cmd": "request.get", "url", "maxTimeout"}``).
Its answer carries the page as the browser saw it and the clearance: cookies and
the User-Agent they are bound to. The caller keeps both for the site until the
first cookie expires, so FlareSolverr is asked once per clearance, not per request.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import httpx
from django.conf import settings

from aniworld.errors import ChallengeError

MAX_TIMEOUT_MS = 60000
# A clearance whose cookies carry no expiry is trusted this long.
DEFAULT_LIFETIME = 30 * 60.0


@dataclass(frozen=True)
class Cookie:
    name: str
    value: str
    domain: str
    path: str = "/"


@dataclass(frozen=True)
class Clearance:
    """What FlareSolverr brought back from one page."""

    url: str
    status: int
    page: str
    user_agent: str
    cookies: list[Cookie] = field(default_factory=list)
    expires_at: float = 0.0

    @property
    def valid(self) -> bool:
        return time.time() < self.expires_at


def enabled() -> bool:
    return bool(settings.FLARESOLVERR_URL)


def solve(url: str, site: str) -> Clearance:
    """Have FlareSolverr open ``url``; ``ChallengeError`` when it cannot."""
    endpoint = settings.FLARESOLVERR_URL
    try:
        answer = httpx.post(
            endpoint,
            json={"cmd": "request.get", "url": url, "maxTimeout": MAX_TIMEOUT_MS},
            timeout=MAX_TIMEOUT_MS / 1000 + 10,
        )
        data = answer.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ChallengeError(
            f"{site} asked for a browser check and FlareSolverr at {endpoint} failed: {exc}",
            url=url,
        ) from exc
    solution = data.get("solution") if isinstance(data, dict) else None
    if data.get("status") != "ok" or not isinstance(solution, dict):
        reason = data.get("message") if isinstance(data, dict) else None
        raise ChallengeError(
            f"{site} asked for a browser check that FlareSolverr could not pass: "
            f"{reason or 'no solution'}",
            url=url,
        )
    now = time.time()
    cookies, expiries = [], []
    for item in solution.get("cookies") or []:
        if not isinstance(item, dict) or not item.get("name"):
            continue
        cookies.append(
            Cookie(
                name=str(item["name"]),
                value=str(item.get("value", "")),
                domain=str(item.get("domain", "")),
                path=str(item.get("path") or "/"),
            )
        )
        expires = item.get("expires") or item.get("expiry")
        if isinstance(expires, int | float) and expires > 0:
            expiries.append(float(expires))
    return Clearance(
        url=str(solution.get("url") or url),
        status=int(solution.get("status") or 200),
        page=str(solution.get("response") or ""),
        user_agent=str(solution.get("userAgent") or ""),
        cookies=cookies,
        expires_at=min(expiries) if expiries else now + DEFAULT_LIFETIME,
    )
