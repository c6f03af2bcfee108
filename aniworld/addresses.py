"""Which hosts the server may fetch when a remote party names them.

An index site, a hoster page, a redirect or an HLS playlist can point the server at
any URL. Without a check, a hostile page could make it fetch ``http://127.0.0.1:6379``
or a router's admin page and place the reply in the library (server-side request
forgery). So every URL a remote names is resolved and refused when any of its
addresses is private, loopback, link-local, multicast, reserved or unspecified —
unless its ``host:port`` is that of a configured site mirror (a self-hosted mirror
on the LAN is the user's own choice) or listed in ``ANIWORLD_ALLOW_PRIVATE_HOSTS``.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

from aniworld import mirrors
from aniworld.errors import RemoteError

DEFAULT_PORTS = {"http": 80, "https": 443}


class BlockedAddressError(RemoteError):
    """A remote pointed us at an address we do not fetch (SSRF guard)."""

    code = "BLOCKED_ADDRESS"
    retryable = False


def host_port(url: str) -> str:
    """``host:port`` of an http(s) URL, lower case, with the scheme's default port."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise BlockedAddressError(f"not an http(s) URL: {url[:200]}", url=url)
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as exc:
        raise BlockedAddressError(f"invalid port in URL: {url[:200]}", url=url) from exc
    host = parts.hostname.lower()
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _site_mirror_urls() -> list[str]:
    # The configuration as it is now (it may have changed since start) and as it was.
    urls: list[str] = mirrors.all_mirrors()
    for name in ("ANIWORLD_SITE_URLS", "STO_SITE_URLS", "ANIWORLD_SITE_URL", "STO_SITE_URL"):
        value = getattr(settings, name, None) or []
        if isinstance(value, str):
            value = value.split(",")
        urls.extend(url.strip() for url in value if url and url.strip())
    return urls


def allowed_private_hosts() -> set[str]:
    """``host:port`` entries that may be private: site mirrors and the explicit list."""
    allowed = {entry.strip().lower() for entry in settings.ANIWORLD_ALLOW_PRIVATE_HOSTS}
    for url in _site_mirror_urls():
        try:
            allowed.add(host_port(url))
        except BlockedAddressError:
            continue
    return allowed


def is_public_ip(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return []
    return sorted({info[4][0] for info in infos})


def ensure_public_url(url: str) -> None:
    """Raise ``BlockedAddressError`` unless ``url`` may be fetched on a remote's word.

    A name that does not resolve passes: the fetch itself then fails with a normal
    connection error, which callers already handle.
    """
    target = host_port(url)
    if target in allowed_private_hosts():
        return
    parts = urlsplit(url)
    port = parts.port or DEFAULT_PORTS[parts.scheme.lower()]
    for address in resolve(parts.hostname, port):
        if not is_public_ip(address):
            raise BlockedAddressError(
                f"refused to fetch {target}: it is a private or local address "
                f"({address}); list it in ANIWORLD_ALLOW_PRIVATE_HOSTS if you trust it",
                url=url,
                details={"host": target, "address": address},
            )
