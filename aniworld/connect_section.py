"""What ``connect`` in config.json may hold: media servers, notification URLs and events.

It lives in the toolkit beside ``aniworld.config``, which checks every section of
the file, so the config code needs no feature app; ``connect`` builds its
forms and senders on it.
"""

from __future__ import annotations

import re
from typing import Any

MEDIA_SERVER_KINDS = ("jellyfin", "emby", "plex")
NOTIFY_EVENTS = (
    "download_completed",
    "download_failed",
    "needs_attention",
    "new_episodes",
    "health",
)
SERVER_KEYS = {"kind", "name", "url", "api_key", "path_map"}

DEFAULTS: dict[str, Any] = {
    "media_servers": [],
    "notify_urls": [],
    "notify_on": [event for event in NOTIFY_EVENTS if event != "download_completed"],
}

_HTTP_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")
_APPRISE_URL = re.compile(r"^[a-z][a-z0-9+.-]*://\S+$", re.IGNORECASE)

Problems = dict[str, list[str]]


def connect_problems(section: dict[str, Any]) -> Problems:
    """Problems of the ``connect`` section as ``{"connect.key": [message]}``."""
    problems: Problems = {}

    def fail(field: str, message: str) -> None:
        problems.setdefault(f"connect.{field}", []).append(message)

    servers = section.get("media_servers")
    if not isinstance(servers, list):
        fail("media_servers", "must be a list of media servers")
    else:
        names: set[str] = set()
        for index, server in enumerate(servers):
            for message in server_problems(server):
                fail("media_servers", f"server {index + 1}: {message}")
            name = server.get("name") if isinstance(server, dict) else None
            if isinstance(name, str) and name.strip():
                if name.strip().casefold() in names:
                    fail("media_servers", f"server {index + 1}: the name {name!r} is used twice")
                names.add(name.strip().casefold())

    urls = section.get("notify_urls")
    if not isinstance(urls, list) or not all(isinstance(url, str) for url in urls):
        fail("notify_urls", "must be a list of Apprise URLs")
    else:
        for url in urls:
            if not _APPRISE_URL.match(url.strip()):
                fail("notify_urls", f"{url!r} is not an Apprise URL (like discord://… or ntfy://…)")

    events = section.get("notify_on")
    if not isinstance(events, list) or any(event not in NOTIFY_EVENTS for event in events):
        fail("notify_on", f"must list events of {', '.join(NOTIFY_EVENTS)}")
    return problems


def server_problems(server: Any) -> list[str]:
    if not isinstance(server, dict):
        return ["must be an object {kind, name, url, api_key, path_map}"]
    problems = [f"unknown field {key!r}" for key in sorted(set(server) - SERVER_KEYS)]
    if server.get("kind") not in MEDIA_SERVER_KINDS:
        problems.append(f"kind must be one of {', '.join(MEDIA_SERVER_KINDS)}")
    name = server.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append("needs a name")
    url = server.get("url")
    if not isinstance(url, str) or not _HTTP_URL.match(url.strip()):
        problems.append("url must be an http(s) URL, like http://192.168.1.5:8096")
    api_key = server.get("api_key")
    if not isinstance(api_key, str) or not api_key.strip():
        token = "token (X-Plex-Token)" if server.get("kind") == "plex" else "API key"
        problems.append(f"needs its {token} in api_key")
    path_map = server.get("path_map", [])
    if not isinstance(path_map, list) or not all(
        isinstance(pair, dict)
        and set(pair) == {"from", "to"}
        and all(isinstance(pair[key], str) and pair[key].strip() for key in ("from", "to"))
        for pair in path_map
    ):
        problems.append('path_map must be a list of {"from": path, "to": path}')
    return problems
