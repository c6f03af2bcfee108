"""The one way this project talks HTTP to the outside world.

Every request to an index site, a hoster or TMDB goes through a ``SiteClient``:
it adds timeouts, per-site cookies, a request-rate limit and a concurrency cap,
retries transient failures (connection errors, 5xx, 429) with exponential
backoff while honouring ``Retry-After``, never retries other 4xx, and
recognises bot-challenge pages so callers get a ``ChallengeError`` instead of
parsing a Cloudflare page as if it were content.

Since 2026 the sites look at more than the User-Agent (DESIGN.md, "Reaching the
sites"), so by default the client speaks through ``aniworld.transport``'s
``BrowserTransport`` (curl_cffi as Chrome). It follows redirects itself, hop by
hop, and refuses hops to private addresses (``aniworld.addresses``). A client
made with ``mirrors`` fails over between a site's base URLs and records which
one works (``aniworld.mirrors``); a challenge page goes to FlareSolverr once per
clearance when ``FLARESOLVERR_URL`` is set (``aniworld.flaresolverr``).

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
from urllib.parse import urljoin, urlsplit

import httpx

from aniworld import flaresolverr, mirrors
from aniworld.addresses import ensure_public_url, host_port
from aniworld.errors import ChallengeError, RemoteError, RemoteStatusError, RemoteUnavailable
from aniworld.transport import (
    BROWSER_HEADERS,
    BROWSER_USER_AGENT,
    BrowserTransport,
    PlainTransport,
    Response,
    TransportFailure,
)

__all__ = [
    "BROWSER_USER_AGENT",
    "ClientPolicy",
    "MirrorFailed",
    "Response",
    "SiteClient",
    "TooManyRedirects",
    "client_for",
    "looks_like_challenge",
    "reset_clients",
]

log = logging.getLogger(__name__)

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
# Statuses with which a site refuses a mirror (not us in general): try the next one.
BLOCK_STATUSES = (403, 451)

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
    # curl_cffi as Chrome (sites, hosters); False: plain httpx (TMDB, artwork).
    browser: bool = True
    # Refuse the first URL too when private (hosters: a remote named it).
    guard_addresses: bool = False
    max_redirects: int = 10


class MirrorFailed(RemoteUnavailable):
    """One mirror did not serve the site (unreachable, blocked): try the next."""

    code = "MIRROR_FAILED"


class TooManyRedirects(RemoteError):
    code = "TOO_MANY_REDIRECTS"
    retryable = False


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


def looks_like_challenge(response: Response | httpx.Response) -> bool:
    content_type = response.headers.get("content-type", "")
    if "html" not in content_type and response.status_code not in (403, 503):
        return False
    head = response.text[:20000].lower()
    return any(marker in head for marker in CHALLENGE_MARKERS)


def challenge_kind(text: str) -> str:
    """The check a page asks for, as the user would recognise it."""
    head = text[:20000].lower()
    if "<altcha-widget" in head:
        return "an ALTCHA proof-of-work check"
    if "cf-turnstile" in head or "challenges.cloudflare.com/turnstile" in head:
        return "a Cloudflare Turnstile check"
    if "ddos-guard" in head or "ddos_guard" in head:
        return "a DDoS-Guard browser check"
    return 'a Cloudflare browser check ("Just a moment...")'


def retry_after_seconds(response: Response) -> float | None:
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
    """A polite, retrying HTTP client for one remote site (or its mirrors)."""

    def __init__(
        self,
        name: str,
        base_url: str = "",
        policy: ClientPolicy | None = None,
        headers: dict[str, str] | None = None,
        mirrors: list[str] | None = None,
    ):
        self.name = name
        self.mirrors = [url.rstrip("/") for url in mirrors or []]
        self._base_url = base_url.rstrip("/")
        self.policy = policy or ClientPolicy()
        self._limiter = _RateLimiter(self.policy.requests_per_second)
        self._slots = threading.BoundedSemaphore(self.policy.max_concurrency)
        transport = BrowserTransport if self.policy.browser else PlainTransport
        self._transport = transport(self.policy.timeout, headers)
        self._clearance: flaresolverr.Clearance | None = None
        self._clearance_lock = threading.Lock()

    @property
    def base_url(self) -> str:
        """The fixed base URL, or the mirror in use now."""
        if self.mirrors:
            return mirrors.MirrorBook(self.name, self.mirrors).in_use()
        return self._base_url

    def url(self, path_or_url: str) -> str:
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        return urljoin(self.base_url + "/", path_or_url.lstrip("/"))

    def get(self, path_or_url: str, **kwargs) -> Response:
        return self.request("GET", path_or_url, **kwargs)

    def post(self, path_or_url: str, **kwargs) -> Response:
        return self.request("POST", path_or_url, **kwargs)

    def request(
        self, method: str, path_or_url: str, *, follow_redirects: bool = True, **kwargs
    ) -> Response:
        """Send a request; return a 2xx/3xx response or raise a ``RemoteError``."""
        if self.mirrors:
            on_mirror = mirrors.split_on_mirror(self.url(path_or_url), self.mirrors)
            if on_mirror is not None:
                return self._via_mirrors(method, on_mirror[1], follow_redirects, kwargs)
        return self._fetch(method, self.url(path_or_url), follow_redirects, **kwargs)

    def resolve_redirect(self, path_or_url: str) -> str:
        """Follow redirects from ``path_or_url`` and return the final URL."""
        return self.get(path_or_url).url

    @contextmanager
    def stream(self, method: str, path_or_url: str, **kwargs) -> Iterator[Response]:
        """Stream a response body (no retries, no redirects: the caller resumes with Range)."""
        url = self.url(path_or_url)
        if self.policy.guard_addresses:
            ensure_public_url(url)
        self._limiter.wait()
        with self._slots:
            try:
                response = self._transport.send(
                    method, url, stream=True, **self._with_clearance(kwargs)
                )
            except TransportFailure as exc:
                raise RemoteUnavailable(f"{self.name}: {exc.describe()} ({url})", url=url) from exc
            try:
                if response.status_code >= 400:
                    raise RemoteStatusError(
                        f"{self.name} answered HTTP {response.status_code} for {url}",
                        url=url,
                        status_code=response.status_code,
                    )
                yield response
            except TransportFailure as exc:
                raise RemoteUnavailable(f"{self.name}: {exc.describe()} ({url})", url=url) from exc
            finally:
                response.chunks.close()

    def browser_headers(self) -> dict[str, str]:
        """The headers our browser sends, for the media download, which must look the same."""
        headers = dict(BROWSER_HEADERS)
        clearance = self._clearance
        if clearance is not None and clearance.valid and clearance.user_agent:
            headers["User-Agent"] = clearance.user_agent
        return headers

    def cookies_for(self, url: str) -> str:
        """The ``Cookie`` header this client would send to ``url`` (empty when none)."""
        return self._transport.cookie_header(url)

    def close(self) -> None:
        self._transport.close()

    # -- mirrors ------------------------------------------------------------------

    def _via_mirrors(self, method: str, path: str, follow: bool, kwargs: dict) -> Response:
        book = mirrors.MirrorBook(self.name, self.mirrors)
        order = book.candidates()
        failures = []
        for index, mirror in enumerate(order):
            url = mirror + path
            headers = dict(kwargs.get("headers") or {})
            host = mirrors.host_header(mirror, self.mirrors)
            if host:
                headers.setdefault("Host", host)
            try:
                response = self._fetch(
                    method,
                    url,
                    follow,
                    # With another mirror to go to, a dead one is not worth the wait.
                    retry_connection=index == len(order) - 1,
                    **{**kwargs, "headers": headers},
                )
            except MirrorFailed as exc:
                log.warning("%s: mirror %s failed: %s", self.name, mirror, exc.message)
                book.failed(mirror, exc.message)
                failures.append(exc.message)
                continue
            book.succeeded(mirror)
            return response
        raise RemoteUnavailable(
            f"{self.name}: no mirror answered ({'; '.join(failures)}). Add a mirror in "
            "Settings, set DNS_OVER_HTTPS or ANIWORLD_PROXY (README: When a site blocks you).",
            url=order[0] + path,
            details={"mirrors": failures},
        )

    # -- one URL, its redirects and retries ----------------------------------------

    def _fetch(
        self, method: str, url: str, follow: bool, *, retry_connection: bool = True, **kwargs
    ) -> Response:
        first = host_port(url)
        if self.policy.guard_addresses:
            ensure_public_url(url)
        for _ in range(self.policy.max_redirects + 1):
            response = self._attempts(method, url, retry_connection, kwargs)
            if not (follow and response.is_redirect):
                return self._judge(method, url, response, kwargs)
            target = urljoin(url, response.headers["location"].strip())
            if host_port(target) != first:
                # A redirect is a remote naming an address: the SSRF rule applies.
                ensure_public_url(target)
                headers = dict(kwargs.get("headers") or {})
                headers.pop("Host", None)
                kwargs = {**kwargs, "headers": headers}
            if response.status_code == 303 or (
                response.status_code in (301, 302) and method == "POST"
            ):
                method = "GET"
                kwargs = {k: v for k, v in kwargs.items() if k not in ("data", "json", "content")}
            url = target
        raise TooManyRedirects(f"{self.name} redirected too often ({url})", url=url)

    def _attempts(self, method: str, url: str, retry_connection: bool, kwargs: dict) -> Response:
        """The first answer that is not a transient failure (or the last one)."""
        attempts = self.policy.retries + 1
        for attempt in range(1, attempts + 1):
            pause = self.policy.backoff * (2 ** (attempt - 1))
            try:
                response = self._send(method, url, kwargs)
            except TransportFailure as exc:
                message = f"{self.name}: {exc.describe()} ({url})"
                final = attempt == attempts or not retry_connection or exc.kind == "dns"
                if final:
                    failure = MirrorFailed if self._is_mirror(url) else RemoteUnavailable
                    raise failure(message, url=url) from exc
                log.info("%s: %s, retry %d in %.1fs", self.name, exc, attempt, pause)
                time.sleep(pause)
                continue
            if self.policy.detect_challenge and looks_like_challenge(response):
                return response
            status = response.status_code
            if not (status == 429 or status >= 500) or attempt == attempts:
                return response
            pause = retry_after_seconds(response) or pause
            log.info("%s: HTTP %d, retry %d in %.1fs", self.name, status, attempt, pause)
            time.sleep(pause)
        raise AssertionError("unreachable")

    def _judge(self, method: str, url: str, response: Response, kwargs: dict) -> Response:
        """The response if it is content; otherwise the error that says what it is."""
        if self.policy.detect_challenge and looks_like_challenge(response):
            return self._clear_challenge(method, url, response)
        status = response.status_code
        if self._is_mirror(url):
            if status in BLOCK_STATUSES:
                raise MirrorFailed(f"{self.name}: {url} answered HTTP {status} (blocked)", url=url)
            if "html" in response.headers.get("content-type", "") and (
                mirrors.looks_like_block_page(response.text)
            ):
                raise MirrorFailed(
                    f"{self.name}: {url} shows a block notice (CUII / DNS block)", url=url
                )
        if status < 400:
            return response
        raise RemoteStatusError(
            f"{self.name} answered HTTP {status} for {url}",
            url=url,
            status_code=status,
            details={"status_code": status, "body": response.text[:500]},
        )

    def _clear_challenge(self, method: str, url: str, response: Response) -> Response:
        kind = challenge_kind(response.text)
        if method != "GET" or not flaresolverr.enabled():
            raise ChallengeError(
                f"{self.name} asked for {kind} (bot protection). Set FLARESOLVERR_URL to "
                "have FlareSolverr pass it, or try another mirror or address later.",
                url=url,
                details={"check": kind},
            )
        with self._clearance_lock:
            clearance = flaresolverr.solve(url, self.name)
            self._forget_clearance()
            host = urlsplit(url).hostname or ""
            for cookie in clearance.cookies:
                self._transport.set_cookie(
                    cookie.name, cookie.value, cookie.domain or host, cookie.path
                )
            self._clearance = clearance
        log.info("%s: FlareSolverr passed %s; clearance kept", self.name, kind)
        answer = Response(
            status_code=clearance.status,
            url=clearance.url,
            headers=httpx.Headers({"content-type": "text/html; charset=utf-8"}),
            content=clearance.page.encode("utf-8"),
        )
        if looks_like_challenge(answer) or answer.status_code >= 400:
            raise ChallengeError(
                f"{self.name} asked for {kind}; FlareSolverr did not get past it "
                f"(HTTP {answer.status_code})",
                url=url,
                details={"check": kind},
            )
        return answer

    def _forget_clearance(self) -> None:
        """Drop an expired clearance: its cookies and the User-Agent they were bound to."""
        old = self._clearance
        if old is None:
            return
        for cookie in old.cookies:
            self._transport.forget_cookie(cookie.name)
        self._clearance = None

    def _with_clearance(self, kwargs: dict) -> dict:
        clearance = self._clearance
        if clearance is None:
            return kwargs
        if not clearance.valid:
            with self._clearance_lock:
                if self._clearance is clearance:
                    self._forget_clearance()
            return kwargs
        headers = {**(kwargs.get("headers") or {}), "User-Agent": clearance.user_agent}
        return {**kwargs, "headers": headers} if clearance.user_agent else kwargs

    def _is_mirror(self, url: str) -> bool:
        return bool(self.mirrors) and mirrors.split_on_mirror(url, self.mirrors) is not None

    def _send(self, method: str, url: str, kwargs: dict) -> Response:
        self._limiter.wait()
        with self._slots:
            return self._transport.send(method, url, **self._with_clearance(kwargs))


_clients: dict[tuple, SiteClient] = {}
_clients_lock = threading.Lock()


def client_for(
    name: str,
    base_url: str = "",
    policy: ClientPolicy | None = None,
    headers: dict[str, str] | None = None,
    mirrors: list[str] | None = None,
) -> SiteClient:
    """The shared client of this process for ``name`` at ``base_url`` (or ``mirrors``)."""
    key = (name, base_url.rstrip("/"), tuple(url.rstrip("/") for url in mirrors or []))
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = SiteClient(name, base_url, policy, headers, mirrors)
        return client


def reset_clients() -> None:
    """Forget every shared client (tests; base URL changes at run time)."""
    with _clients_lock:
        for client in _clients.values():
            client.close()
        _clients.clear()
