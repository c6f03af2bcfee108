"""Fixtures for hoster and media tests: real video, fake hosters, fast clients."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from aniworld.http import ClientPolicy, SiteClient
from downloads.hosters import MediaSource, get_extractor
from downloads.media import download_media
from tests.fakes.fixtures import allow_private
from tests.fakes.hosters import HosterWorld
from tests.fakes.server import FakeServer, Reply

# The fakes answer at once: no rate limit, no pauses between retries.
FAST_POLICY = ClientPolicy(
    timeout=5.0, retries=2, backoff=0.0, requests_per_second=0, max_concurrency=4
)


@pytest.fixture
def extract(hosters: HosterWorld) -> Iterator[Callable[..., MediaSource]]:
    """``extract("VOE")`` runs the real extractor against the fake hoster
    (or against ``url`` when given)."""
    clients: list[SiteClient] = []

    def run(hoster: str, url: str | None = None) -> MediaSource:
        client = SiteClient(hoster, policy=FAST_POLICY)
        clients.append(client)
        return get_extractor(hoster, client=client).extract(url or hosters.embed_url(hoster))

    yield run
    for client in clients:
        client.close()


@pytest.fixture(scope="session")
def page_server() -> Iterator[FakeServer]:
    with FakeServer() as server:
        yield server


@pytest.fixture
def serve(page_server: FakeServer, settings) -> Callable[..., str]:
    """``serve(html)`` puts a hand-written page online and returns its URL; ``path``
    chooses where, for pages that link to each other. Its address is allowed."""
    allow_private(settings, page_server)

    def put(
        body: str,
        *,
        path: str | None = None,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
    ) -> str:
        path = path or f"/page-{next(page_numbers)}"
        page_server.route(
            "GET", path, lambda request: Reply(status, body, content_type=content_type)
        )
        return page_server.url + path

    return put


page_numbers = itertools.count(1)


@pytest.fixture
def download(tmp_path: Path) -> Callable[..., Path]:
    """``download(source)`` runs ``download_media`` into ``tmp_path`` with short
    retries; keyword arguments override the defaults."""

    def run(source: MediaSource, **kwargs) -> Path:
        options = {
            "temp_dir": tmp_path,
            "basename": "episode",
            "on_progress": lambda progress: None,
            "should_stop": lambda: False,
            "retries": 2,
            "fragment_retries": 2,
            "socket_timeout": 5.0,
            "retry_backoff": 0.0,
            "report_interval": 0.0,
        }
        options.update(kwargs)
        return download_media(source, **options)

    return run
