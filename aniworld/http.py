"""The one way this project talks HTTP to the outside world.

Every request to an index site, a hoster or TMDB goes through a ``SiteClient``:
it adds timeouts, a browser User-Agent, per-site cookies, a request-rate limit
and a concurrency cap, retries transient failures (connection errors, 5xx, 429)
with exponential backoff while honouring ``Retry-After``, never retries other
4xx, and recognises bot-challenge pages so callers get a ``ChallengeError``
instead of parsing a Cloudflare page as if it were content.

Clients are shared per process: ``client_for(name, base_url)`` returns the same
instance for the same site, so cookies and rate limits are per site.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import httpx

from aniworld.errors import ChallengeError, RemoteStatusError, RemoteUnavailable

log = logging.getLogger(__name__)

BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)

# Markers of bot-check pages (Cloudflare, DDoS-Guard, Turnstile, ALTCHA), lower case.
CHALLENGE_MARKERS = (
    "just a moment...",
    "cf_chl_",
    "challenge-platform",
    "ddos-guard",
    "ddos_guard",
    "cf-turnstile",
    "challenges.cloudflare.com/turnstile",
    "<altcha-widget",
)

MAX_RETRY_AFTER_SECONDS = 60.0


@dataclass(frozen=True)
class ClientPolicy:
    """How politely and persistently a client talks to one site."""

    timeout: float = 20.0
    retries: int = 3
    backoff: float = 0.5  # first pause; doubles with each retry
    requests_per_second: float = 4.0
    max_concurrency: int = 2
    detect_challenge: bool = False


class _RateLimiter:
    """Spaces requests at least ``1/rate`` seconds apart across threads."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._lock = threading.Lock()
        self._next_slot = 0.0

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


def looks_like_challenge(response: httpx.Response) -> bool:
    content_type = response.headers.get("content-type", "")
    if "html" not in content_type and response.status_code not in (403, 503):
        return False
    head = response.text[:20000].lower()
    if any(marker in head for marker in CHALLENGE_MARKERS):
        return True
    # Index sites answer a bare 403 to clients they have decided are bots.
    return response.status_code == 403


def retry_after_seconds(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    return max(0.0, min(seconds, MAX_RETRY_AFTER_SECONDS))


class SiteClient:
    """A polite, retrying HTTP client for one remote site."""

    def __init__(
        self,
        name: str,
        base_url: str = "",
        policy: ClientPolicy | None = None,
        headers: dict[str, str] | None = None,
    ):
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.policy = policy or ClientPolicy()
        self._limiter = _RateLimiter(self.policy.requests_per_second)
        self._slots = threading.BoundedSemaphore(self.policy.max_concurrency)
        self._http = httpx.Client(
            timeout=self.policy.timeout,
            headers={
                "User-Agent": BROWSER_USER_AGENT,
                "Accept-Language": "de-DE,de;q=0.9,en;q=0.8",
                **(headers or {}),
            },
            follow_redirects=True,
        )

    def url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return urljoin(self.base_url + "/", path_or_url.lstrip("/"))

    def get(self, path_or_url: str, **kwargs) -> httpx.Response:
        return self.request("GET", path_or_url, **kwargs)

    def post(self, path_or_url: str, **kwargs) -> httpx.Response:
        return self.request("POST", path_or_url, **kwargs)

    def request(self, method: str, path_or_url: str, **kwargs) -> httpx.Response:
        """Send a request; return a 2xx/3xx response or raise a ``RemoteError``."""
        url = self.url(path_or_url)
        attempts = self.policy.retries + 1
        for attempt in range(1, attempts + 1):
            pause = self.policy.backoff * (2 ** (attempt - 1))
            try:
                response = self._send(method, url, **kwargs)
            except httpx.TransportError as exc:
                if attempt == attempts:
                    raise RemoteUnavailable(
                        f"{self.name}: {_describe_transport_error(exc)} ({url})", url=url
                    ) from exc
                log.info("%s: %s, retry %d in %.1fs", self.name, exc, attempt, pause)
                time.sleep(pause)
                continue
            if self.policy.detect_challenge and looks_like_challenge(response):
                raise ChallengeError(
                    f"{self.name} asked for a browser check (bot protection); "
                    "try again later or use another mirror URL",
                    url=url,
                )
            status = response.status_code
            if status < 400:
                return response
            transient = status == 429 or status >= 500
            if not transient or attempt == attempts:
                raise RemoteStatusError(
                    f"{self.name} answered HTTP {status} for {url}",
                    url=url,
                    status_code=status,
                    details={"status_code": status, "body": response.text[:500]},
                )
            pause = retry_after_seconds(response) or pause
            log.info("%s: HTTP %d, retry %d in %.1fs", self.name, status, attempt, pause)
            time.sleep(pause)
        raise AssertionError("unreachable")

    def resolve_redirect(self, path_or_url: str) -> str:
        """Follow redirects from ``path_or_url`` and return the final URL."""
        response = self.get(path_or_url)
        return str(response.url)

    @contextmanager
    def stream(self, method: str, path_or_url: str, **kwargs) -> Iterator[httpx.Response]:
        """Stream a response body (no retries: the caller resumes with Range)."""
        url = self.url(path_or_url)
        self._limiter.wait()
        with self._slots:
            try:
                with self._http.stream(method, url, **kwargs) as response:
                    if response.status_code >= 400:
                        raise RemoteStatusError(
                            f"{self.name} answered HTTP {response.status_code} for {url}",
                            url=url,
                            status_code=response.status_code,
                        )
                    yield response
            except httpx.TransportError as exc:
                raise RemoteUnavailable(
                    f"{self.name}: {_describe_transport_error(exc)} ({url})", url=url
                ) from exc

    def close(self) -> None:
        self._http.close()

    def _send(self, method: str, url: str, **kwargs) -> httpx.Response:
        self._limiter.wait()
        with self._slots:
            return self._http.request(method, url, **kwargs)


def _describe_transport_error(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "could not connect"
    return f"connection failed ({type(exc).__name__})"


_clients: dict[tuple[str, str], SiteClient] = {}
_clients_lock = threading.Lock()


def client_for(
    name: str,
    base_url: str = "",
    policy: ClientPolicy | None = None,
    headers: dict[str, str] | None = None,
) -> SiteClient:
    """The shared client of this process for ``name`` at ``base_url``."""
    key = (name, base_url.rstrip("/"))
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = SiteClient(name, base_url, policy, headers)
        return client


def reset_clients() -> None:
    """Forget every shared client (tests; base URL changes at run time)."""
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()
