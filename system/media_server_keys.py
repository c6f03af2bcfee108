"""Media-server keys are write-only in the settings API, like the TMDB key: ``GET
/api/config`` shows ``null`` for each, and a server sent back with ``null`` (or no
``api_key``) keeps the key stored for the server of that name."""

from __future__ import annotations

from typing import Any

from aniworld import config


def hide_keys(servers: list[Any]) -> list[Any]:
    return [
        {**server, "api_key": None} if isinstance(server, dict) else server for server in servers
    ]


def keep_stored_keys(servers: Any) -> Any:
    if not isinstance(servers, list):
        return servers  # the validation says what is wrong with it
    stored = {
        server["name"]: server["api_key"] for server in config.current()["connect"]["media_servers"]
    }
    return [
        {**server, "api_key": stored[server.get("name")]}
        if isinstance(server, dict)
        and server.get("api_key") is None
        and server.get("name") in stored
        else server
        for server in servers
    ]
