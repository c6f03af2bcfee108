"""How bytes reach a remote: a browser-grade transport and a plain one.

Index sites and hosters see the TLS and HTTP/2 fingerprint of the client, and
aniworld.to answers 403 to anything that is not a browser's handshake (SITES.md,
"Access problems"). ``BrowserTransport`` therefore speaks through curl_cffi,
impersonating one pinned Chrome release: its ClientHello (GREASE, ALPN h2, the
extension order), its HTTP/2 settings, its header set and order and its
User-Agent. APIs that do not care (TMDB, images) keep ``PlainTransport`` (httpx).

Both return the same small ``Response`` and raise ``TransportFailure``, so
``aniworld.http.SiteClient`` does retries, redirects and mirror failover once,
whatever carried the request. ``ANIWORLD_CA_BUNDLE`` applies to both;
``ANIWORLD_PROXY`` and ``DNS_OVER_HTTPS`` to the browser transport (site and
hoster traffic only, as DESIGN.md's configuration table says).
"""

from __future__ import annotations

import hashlib
import json as jsonlib
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import certifi
import httpx
from curl_cffi import requests as curl_requests
from curl_cffi.requests import exceptions as curl_errors
from django.conf import settings

from aniworld.config import write_atomically

# The Chrome release curl_cffi 0.17 imitates; the User-Agent must name the same
# version as the fingerprint, or the mismatch itself marks us as a bot.
CHROME_VERSION = 152
IMPERSONATE = f"chrome{CHROME_VERSION}"
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    f"(KHTML, like Gecko) Chrome/{CHROME_VERSION}.0.0.0 Safari/537.36"
)
# What that Chrome sends with a top-level navigation, in its order. curl_cffi
# adds these itself; we hand them to the media download, whose requests must look
# the same.
BROWSER_HEADERS: dict[str, str] = {
    "sec-ch-ua": (
        f'"Chromium";v="{CHROME_VERSION}", "Not?A_Brand";v="24", '
        f'"Google Chrome";v="{CHROME_VERSION}"'
    ),
    "sec-ch-ua-mobile": "?0",
    "sec-ch-ua-platform": '"Windows"',
    "User-Agent": BROWSER_USER_AGENT,
    "Accept": (
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
        "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
    ),
    "Accept-Language": "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7",
}
# A German user's browser asks for German pages first.
ACCEPT_LANGUAGE = {"Accept-Language": BROWSER_HEADERS["Accept-Language"]}

REDIRECT_STATUSES = (301, 302, 303, 307, 308)


class TransportFailure(Exception):
    """The request got no HTTP answer. ``kind``: dns, connect, timeout, tls, proxy, other."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind

    def describe(self) -> str:
        return {
            "dns": "the name does not resolve (DNS failure or DNS block)",
            "connect": "could not connect",
            "timeout": "timed out",
            "tls": "the TLS handshake failed",
            "proxy": "the proxy failed",
        }.get(self.kind, f"connection failed ({self})")


@dataclass
class Response:
    """What callers read of an answer: status, headers, final URL, body."""

    status_code: int
    url: str
    headers: httpx.Headers
    content: bytes = b""
    chunks: Iterator[bytes] | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        charset = ""
        for part in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset":
                charset = value.strip("\"' ")
        try:
            return self.content.decode(charset or "utf-8", errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return jsonlib.loads(self.text)

    @property
    def is_redirect(self) -> bool:
        return self.status_code in REDIRECT_STATUSES and "location" in self.headers

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The body of a streamed response, piece by piece."""
        if self.chunks is None:
            yield self.content
            return
        yield from self.chunks


def ca_bundle() -> str | None:
    """A PEM file of the usual roots plus ``ANIWORLD_CA_BUNDLE``; None when unset.

    The extra certificates are added to, not swapped for, the public roots: a
    self-hosted mirror must not cost the user every other site.
    """
    extra = settings.ANIWORLD_CA_BUNDLE
    if not extra:
        return None
    try:
        added = Path(extra).read_bytes()
    except OSError as exc:
        raise TransportFailure("tls", f"ANIWORLD_CA_BUNDLE {extra} is unreadable: {exc}") from exc
    combined = Path(certifi.where()).read_bytes() + b"\n" + added
    digest = hashlib.sha256(combined).hexdigest()[:16]
    path = Path(settings.DATA_DIR) / "cache" / f"ca-bundle-{digest}.pem"
    if not path.exists():
        write_atomically(path, combined, mode=0o600)
    return str(path)


class BrowserTransport:
    """curl_cffi impersonating Chrome; cookies live in the session (one per site)."""

    def __init__(self, timeout: float, headers: dict[str, str] | None = None):
        self.timeout = timeout
        self.headers = {**ACCEPT_LANGUAGE, **(headers or {})}
        self.proxy = settings.ANIWORLD_PROXY or None
        self.doh_url = settings.DNS_OVER_HTTPS or None
        self._session = curl_requests.Session(
            impersonate=IMPERSONATE,
            timeout=timeout,
            verify=ca_bundle() or True,
            proxy=self.proxy,
        )

    def send(self, method: str, url: str, *, stream: bool = False, **kwargs: Any) -> Response:
        headers = {**self.headers, **(kwargs.pop("headers", None) or {})}
        try:
            answer = self._session.request(
                method,
                url,
                headers=headers,
                allow_redirects=False,
                doh_url=self.doh_url,
                stream=stream,
                **kwargs,
            )
        except curl_errors.RequestException as exc:
            raise _curl_failure(exc) from exc
        response = Response(
            status_code=answer.status_code,
            url=str(answer.url or url),
            headers=httpx.Headers(list(answer.headers.multi_items())),
        )
        if stream:
            response.chunks = _curl_chunks(answer)
        else:
            response.content = answer.content
        return response

    def cookie_header(self, url: str) -> str:
        """The ``Cookie`` header this session would send to ``url``."""
        host = httpx.URL(url).host
        pairs = []
        for cookie in self._session.cookies.jar:
            domain = (cookie.domain or "").lstrip(".")
            if not domain or host == domain or host.endswith("." + domain):
                pairs.append(f"{cookie.name}={cookie.value}")
        return "; ".join(pairs)

    def set_cookie(self, name: str, value: str, domain: str, path: str = "/") -> None:
        self._session.cookies.set(name, value, domain=domain, path=path)

    def forget_cookie(self, name: str) -> None:
        _forget(self._session.cookies.jar, name)

    def close(self) -> None:
        self._session.close()


class PlainTransport:
    """httpx, for APIs that do not fingerprint clients (TMDB, artwork)."""

    def __init__(self, timeout: float, headers: dict[str, str] | None = None):
        verify: ssl.SSLContext | bool = True
        bundle = ca_bundle()
        if bundle:
            verify = ssl.create_default_context(cafile=bundle)
        self._http = httpx.Client(
            timeout=timeout,
            headers={"User-Agent": BROWSER_USER_AGENT, **ACCEPT_LANGUAGE, **(headers or {})},
            follow_redirects=False,
            verify=verify,
        )

    def send(self, method: str, url: str, *, stream: bool = False, **kwargs: Any) -> Response:
        try:
            request = self._http.build_request(method, url, **kwargs)
            answer = self._http.send(request, stream=stream)
        except httpx.TransportError as exc:
            raise _httpx_failure(exc) from exc
        response = Response(
            status_code=answer.status_code, url=str(answer.url), headers=answer.headers
        )
        if stream:
            response.chunks = _httpx_chunks(answer)
        else:
            response.content = answer.content
        return response

    def cookie_header(self, url: str) -> str:
        host = httpx.URL(url).host
        return "; ".join(
            f"{cookie.name}={cookie.value}"
            for cookie in self._http.cookies.jar
            if not cookie.domain or host.endswith(cookie.domain.lstrip("."))
        )

    def set_cookie(self, name: str, value: str, domain: str, path: str = "/") -> None:
        self._http.cookies.set(name, value, domain=domain, path=path)

    def forget_cookie(self, name: str) -> None:
        _forget(self._http.cookies.jar, name)

    def close(self) -> None:
        self._http.close()


def _forget(jar: CookieJar, name: str) -> None:
    for cookie in list(jar):
        if cookie.name == name:
            jar.clear(cookie.domain, cookie.path, cookie.name)


def _curl_chunks(answer) -> Iterator[bytes]:
    try:
        yield from answer.iter_content()
    except curl_errors.RequestException as exc:
        raise _curl_failure(exc) from exc
    finally:
        answer.close()


def _httpx_chunks(answer: httpx.Response) -> Iterator[bytes]:
    try:
        yield from answer.iter_bytes()
    except httpx.TransportError as exc:
        raise _httpx_failure(exc) from exc
    finally:
        answer.close()


def _curl_failure(exc: curl_errors.RequestException) -> TransportFailure:
    if isinstance(exc, curl_errors.DNSError):
        kind = "dns"
    elif isinstance(exc, curl_errors.Timeout):
        kind = "timeout"
    elif isinstance(exc, curl_errors.SSLError):
        kind = "tls"
    elif isinstance(exc, curl_errors.ProxyError):
        kind = "proxy"
    elif isinstance(exc, curl_errors.ConnectionError):
        kind = "connect"
    else:
        kind = "other"
    return TransportFailure(kind, str(exc))


def _httpx_failure(exc: httpx.TransportError) -> TransportFailure:
    if isinstance(exc, httpx.TimeoutException):
        kind = "timeout"
    elif isinstance(exc, httpx.ConnectError):
        text = str(exc).lower()
        kind = "dns" if "name or service" in text or "nodename" in text else "connect"
        if "ssl" in text or "certificate" in text:
            kind = "tls"
    else:
        kind = "other"
    return TransportFailure(kind, f"{type(exc).__name__}: {exc}")
