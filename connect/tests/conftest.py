"""Helpers for connect's tests: configure media servers and notification URLs."""

from __future__ import annotations

import pytest

from aniworld import config
from tests.fakes.media_servers import JELLYFIN_KEY, PLEX_TOKEN


@pytest.fixture
def set_connect():
    """``set_connect(media_servers=[…], notify_urls=[…], notify_on=[…])`` writes config.json."""

    def write(**values) -> None:
        config.store().update({"connect": values})

    return write


def jellyfin_entry(server, library_root=None, **extra) -> dict:
    entry = {"kind": "jellyfin", "name": "Jelly", "url": server.url, "api_key": JELLYFIN_KEY}
    if library_root is not None:
        entry["path_map"] = [{"from": str(library_root), "to": "/media/anime"}]
    return {**entry, **extra}


def plex_entry(server, library_root, **extra) -> dict:
    return {
        "kind": "plex",
        "name": "Plex",
        "url": server.url,
        "api_key": PLEX_TOKEN,
        "path_map": [{"from": str(library_root), "to": "/data/anime"}],
        **extra,
    }
