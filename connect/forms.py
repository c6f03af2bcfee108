"""Reading the Settings page's media-server and notification forms into ``connect`` values.

Like the other settings forms they do not judge values: ``PATCH /api/config``'s
checks do (``aniworld.connect_section``), so the page accepts exactly what the API does.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

PATH_MAP_SEPARATOR = "=>"


class FormProblem(ValueError):
    """The form itself could not be read (not a value the API would judge)."""


def parse_path_map(text: str) -> list[dict[str, str]]:
    """Lines ``/our/path => /their/path``; blank lines are skipped."""
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        source, separator, target = line.partition(PATH_MAP_SEPARATOR)
        if not separator or not source.strip() or not target.strip():
            raise FormProblem(
                f"path map line {number} must look like /library/anime {PATH_MAP_SEPARATOR} /media/anime"
            )
        pairs.append({"from": source.strip(), "to": target.strip()})
    return pairs


def format_path_map(path_map: list[dict[str, str]]) -> str:
    return "\n".join(f"{pair['from']} {PATH_MAP_SEPARATOR} {pair['to']}" for pair in path_map)


def server_from_post(data: QueryDict, stored: dict[str, Any] | None) -> dict[str, Any]:
    """The server as submitted; an empty key field keeps the stored key."""
    api_key = data.get("api_key", "").strip()
    if not api_key and stored is not None:
        api_key = stored.get("api_key", "")
    return {
        "kind": data.get("kind", "").strip(),
        "name": data.get("name", "").strip(),
        "url": data.get("url", "").strip(),
        "api_key": api_key,
        "path_map": parse_path_map(data.get("path_map", "")),
    }


def index_from_post(data: QueryDict, servers: list[dict[str, Any]]) -> int | None:
    """The position of the server a form is about; None for a new one."""
    value = data.get("index", "")
    if value == "":
        return None
    if not value.isdigit() or int(value) >= len(servers):
        raise FormProblem("This media server no longer exists; reload the page.")
    return int(value)


def notify_from_post(data: QueryDict) -> dict[str, Any]:
    urls = [line.strip() for line in data.get("notify_urls", "").splitlines() if line.strip()]
    return {"notify_urls": urls, "notify_on": data.getlist("notify_on")}
