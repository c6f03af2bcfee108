"""Telling Jellyfin, Emby and Plex that a path in the library changed.

Jellyfin and Emby take the changed path itself (``POST /Library/Media/Updated``);
Plex refreshes one library section, limited to a folder: we find the section
whose location holds the path, then ask it to refresh the series folder. Paths
are translated through the server's ``path_map`` first, because a server in a
container usually sees the library under another root.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from lxml import etree

from aniworld import config
from aniworld.errors import RemoteError
from aniworld.http import ClientPolicy, SiteClient, client_for

TIMEOUT_SECONDS = 10.0
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class MediaServerError(Exception):
    """A media server could not be told; the message says why, for the System page."""


@dataclass(frozen=True)
class MediaServer:
    kind: str
    name: str
    url: str
    api_key: str
    path_map: list[dict[str, str]] = field(default_factory=list)

    @classmethod
    def from_config(cls, entry: dict[str, Any]) -> MediaServer:
        return cls(
            kind=entry["kind"],
            name=entry["name"].strip(),
            url=entry["url"].strip().rstrip("/"),
            api_key=entry["api_key"].strip(),
            path_map=list(entry.get("path_map") or []),
        )

    @property
    def label(self) -> str:
        return f"{self.name} ({self.kind})"


def configured_servers() -> list[MediaServer]:
    return [
        MediaServer.from_config(entry) for entry in config.current()["connect"]["media_servers"]
    ]


def server_named(name: str) -> MediaServer | None:
    return next((server for server in configured_servers() if server.name == name), None)


def map_path(path: str, path_map: list[dict[str, str]]) -> str:
    """``path`` as the server sees it: the longest matching ``from`` prefix becomes ``to``."""
    source = PurePosixPath(path)
    best: tuple[int, str] | None = None
    for pair in path_map:
        prefix = PurePosixPath(pair["from"].rstrip("/") or "/")
        if source == prefix or prefix in source.parents:
            length = len(prefix.parts)
            if best is None or length > best[0]:
                target = PurePosixPath(pair["to"].rstrip("/") or "/")
                best = (length, str(target / source.relative_to(prefix)))
    return best[1] if best else str(source)


def _client(server: MediaServer) -> SiteClient:
    return client_for(
        f"media server {server.name}",
        server.url,
        ClientPolicy(
            timeout=TIMEOUT_SECONDS,
            retries=1,
            backoff=settings.REMOTE_BACKOFF_SECONDS,
            requests_per_second=0,
            max_concurrency=2,
        ),
    )


def _request(server: MediaServer, method: str, path: str, **kwargs):
    try:
        return _client(server).request(method, path, **kwargs)
    except RemoteError as exc:
        # The client's messages already begin with "media server <name>".
        raise MediaServerError(exc.message) from exc


# -- Jellyfin and Emby ----------------------------------------------------------


def emby_update(server: MediaServer, changes: list[tuple[str, str]]) -> str:
    """``changes`` are (path on our side, "Created"|"Modified"|"Deleted")."""
    updates = [
        {"Path": map_path(path, server.path_map), "UpdateType": kind} for path, kind in changes
    ]
    _request(
        server,
        "POST",
        "/Library/Media/Updated",
        json={"Updates": updates},
        headers={"X-Emby-Token": server.api_key},
    )
    return f"told about {', '.join(update['Path'] for update in updates)}"


def emby_check(server: MediaServer) -> str:
    response = _request(server, "GET", "/System/Info", headers={"X-Emby-Token": server.api_key})
    try:
        info = response.json()
    except ValueError as exc:
        raise MediaServerError(f"{server.label}: /System/Info is not JSON") from exc
    name = info.get("ServerName") or server.kind
    version = info.get("Version") or "unknown version"
    return f"{name} {version} answered"


# -- Plex --------------------------------------------------------------------------


def plex_sections(server: MediaServer) -> list[tuple[str, list[str]]]:
    """Each library section as (key, its locations)."""
    response = _request(
        server,
        "GET",
        "/library/sections",
        params={"X-Plex-Token": server.api_key},
        headers={"Accept": "application/xml"},
    )
    try:
        root = etree.fromstring(response.content, parser=XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise MediaServerError(f"{server.label}: /library/sections is not XML: {exc}") from exc
    return [
        (
            directory.get("key", ""),
            [location.get("path", "") for location in directory.iter("Location")],
        )
        for directory in root.iter("Directory")
        if directory.get("key")
    ]


def plex_section_for(sections: list[tuple[str, list[str]]], path: str) -> str | None:
    """The section whose location holds ``path`` (the deepest location wins)."""
    target = PurePosixPath(path)
    best: tuple[int, str] | None = None
    for key, locations in sections:
        for location in locations:
            root = PurePosixPath(location.rstrip("/") or "/")
            holds = target == root or root in target.parents
            if holds and (best is None or len(root.parts) > best[0]):
                best = (len(root.parts), key)
    return best[1] if best else None


def plex_refresh(server: MediaServer, folder: str) -> str:
    mapped = map_path(folder, server.path_map)
    sections = plex_sections(server)
    key = plex_section_for(sections, mapped)
    if key is None:
        known = sorted({location for _, locations in sections for location in locations})
        raise MediaServerError(
            f"{server.label}: no library section contains {mapped} "
            f"(its sections are at {', '.join(known) or 'nothing'}); check path_map"
        )
    _request(
        server,
        "GET",
        f"/library/sections/{key}/refresh",
        params={"path": mapped, "X-Plex-Token": server.api_key},
    )
    return f"refreshed section {key} for {mapped}"


def plex_check(server: MediaServer) -> str:
    sections = plex_sections(server)
    return f"{len(sections)} library section{'s' if len(sections) != 1 else ''}"


# -- one entry point ----------------------------------------------------------------


def tell(server: MediaServer, changes: list[tuple[str, str]], folder: str) -> str:
    """Tell one server about changed files (Jellyfin, Emby) or their series ``folder`` (Plex)."""
    if server.kind == "plex":
        return plex_refresh(server, folder)
    return emby_update(server, changes)


def check(server: MediaServer) -> str:
    """Whether the server answers with this key; what it said (for the Test button)."""
    if server.kind == "plex":
        return plex_check(server)
    return emby_check(server)
