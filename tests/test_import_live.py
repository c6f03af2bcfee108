"""Bringing an existing library across real processes: the import runs in the worker of
`manage.py serve` and its progress reaches a WebSocket client of the web process."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from tests.processes import ServeProcess
from tests.test_live_stream import QUICK_INDEX, join, owner_token, receive, stream_url

pytestmark = pytest.mark.slow

FOLDERS = {
    # AniWorld-Downloader, AniLoader, Sonarr, the seed, and one nobody knows.
    "Re Zero Kara (2016) [imdbid-tt5607616]": "Season 1/Re Zero Kara S01E01.mkv",
    "Kimetsu no Yaiba (2019) [tt9335498]": "Season 01/S01E001 - Grausamkeit.mkv",
    "Dark (2017)": "Season 01/Dark - S01E01 - Geheimnisse.mkv",
    "Hells Paradise": "Hells Paradise - S01E001 - (German Dub).mp4",
    "My Holiday Videos": "clip.mp4",
}


@pytest.fixture
def app(aniworld_site, sto_site, tmp_path) -> Iterator[ServeProcess]:
    library = tmp_path / "library"
    for folder, episode in FOLDERS.items():
        path = library / folder / episode
        path.parent.mkdir(parents=True)
        path.write_bytes(b"video")
    serve = ServeProcess(
        tmp_path,
        env={
            "ANIME_DIRECTORY": str(library),
            "ANIWORLD_SITE_URL": aniworld_site.url,
            "STO_SITE_URL": sto_site.url,
            **QUICK_INDEX,
        },
    )
    for variable in ("REDIS_URL", "DATABASE_URL"):
        serve.env.pop(variable, None)
    serve.start()
    try:
        yield serve
    finally:
        serve.stop(signal.SIGKILL)


def test_an_import_in_the_worker_attaches_confident_folders_with_live_progress(app):
    token = owner_token(app)
    api = httpx.Client(base_url=app.url, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    async def watch() -> list[dict]:
        async with websockets.connect(stream_url(app, token), origin=app.url) as socket:
            assert (await receive(socket))["type"] == "connected"
            await join(socket, "scan")
            started = await asyncio.to_thread(
                api.post, "/api/anime/unmatched/import", json={"attach_confident": True}
            )
            assert started.status_code == 202, started.text
            events: list[dict] = []
            while not events or events[-1]["type"] != "scan_completed":
                message = await receive(socket, timeout=60)
                if message["type"].startswith("scan_"):
                    events.append(message)
            return events

    events = asyncio.run(watch())
    assert events[0]["type"] == "scan_started"
    assert events[0]["data"]["total"] == len(FOLDERS)
    assert any(event["type"] == "scan_progress" for event in events)
    summary = events[-1]["data"]["summary"]
    assert (summary["folders"], summary["attached"], summary["without_match"]) == (5, 4, 1)

    keys = {s["key"] for s in api.get("/api/anime/", params={"page_size": 50}).json()["results"]}
    assert keys == {
        "rezero-starting-life-in-another-world",
        "demon-slayer-kimetsu-no-yaiba",
        "dark",
        "hells-paradise",
    }
    left = api.get("/api/anime/unmatched").json()
    assert [entry["folder"] for entry in left] == ["My Holiday Videos"]
    data = Path(app.env["ANIME_DIRECTORY"], "Dark (2017)", "data").read_text()
    assert json.loads(data)["key"] == "dark"
