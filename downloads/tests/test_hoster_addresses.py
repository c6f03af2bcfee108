"""Hoster pages and every redirect hop obey the private-address rule (DESIGN.md, Security):
a remote cannot make the server fetch 127.0.0.1:<some other port> or a LAN address."""

from __future__ import annotations

import pytest

from aniworld.addresses import BlockedAddressError
from aniworld.http import ClientPolicy, SiteClient
from downloads.hosters import ExtractionError, get_extractor
from library.providers import get_provider
from tests.fakes.server import FakeServer, Reply

VIDOZA_PAGE = '<script>sourcesCode: [{ src: "/video.mp4", type: "video/mp4" }]</script>'


@pytest.fixture(scope="module")
def internal():
    """Something on the server's own machine that no remote may reach through it."""
    with FakeServer() as server:
        server.route("GET", "/.*", lambda request: Reply(200, VIDOZA_PAGE))
        yield server


@pytest.fixture
def hoster(page_server, internal, settings):
    """A trusted fake hoster (listed in ANIWORLD_ALLOW_PRIVATE_HOSTS); ``internal`` is not."""
    internal.requests.clear()
    settings.ANIWORLD_ALLOW_PRIVATE_HOSTS = [page_server.url.removeprefix("http://")]
    return page_server


def test_a_hoster_page_on_a_private_address_is_not_fetched(internal, hoster):
    with pytest.raises(ExtractionError) as raised:
        get_extractor("Vidoza").extract(f"{internal.url}/embed-abc.html")

    assert "private or local address" in raised.value.message
    assert "ANIWORLD_ALLOW_PRIVATE_HOSTS" in raised.value.message
    assert internal.requests == []


def test_a_hoster_redirect_to_a_private_address_is_not_followed(internal, hoster):
    hoster.route(
        "GET",
        "/embed-redirect.html",
        lambda request: Reply(302, "", {"Location": f"{internal.url}/admin"}),
    )

    with pytest.raises(ExtractionError, match="private or local address"):
        get_extractor("Vidoza").extract(f"{hoster.url}/embed-redirect.html")

    assert internal.requests == []


def test_a_redirect_on_the_same_trusted_host_is_followed(hoster):
    hoster.route(
        "GET", "/embed-old.html", lambda request: Reply(301, "", {"Location": "/embed-new.html"})
    )
    hoster.route("GET", "/embed-new.html", lambda request: Reply(200, VIDOZA_PAGE))

    source = get_extractor("Vidoza").extract(f"{hoster.url}/embed-old.html")

    assert source.url == f"{hoster.url}/video.mp4"


def test_every_hop_is_checked_not_only_the_last(internal, hoster, settings):
    other = FakeServer().start()
    try:
        settings.ANIWORLD_ALLOW_PRIVATE_HOSTS = [
            hoster.url.removeprefix("http://"),
            other.url.removeprefix("http://"),
        ]
        hoster.route(
            "GET", "/hop-1", lambda request: Reply(302, "", {"Location": f"{internal.url}/hop-2"})
        )
        internal.route(
            "GET", "/hop-2", lambda request: Reply(302, "", {"Location": f"{other.url}/end"})
        )
        client = SiteClient("hoster", policy=ClientPolicy(retries=0, guard_addresses=True))

        with pytest.raises(BlockedAddressError):
            client.get(f"{hoster.url}/hop-1")
    finally:
        other.stop()
    assert internal.requests == []


def test_a_site_redirect_to_a_private_address_is_refused(internal, aniworld_site):
    aniworld_site.server.route(
        "GET", "/jump", lambda request: Reply(302, "", {"Location": f"{internal.url}/secret"})
    )

    with pytest.raises(BlockedAddressError):
        get_provider("aniworld.to").client.get("/jump")

    assert internal.requests == []


def test_media_requests_get_the_browsers_headers_and_the_hosters_cookies(hoster):
    hoster.route(
        "GET",
        "/embed-cookie.html",
        lambda request: Reply(200, VIDOZA_PAGE, {"Set-Cookie": "session=abc123; Path=/"}),
    )

    source = get_extractor("Vidoza").extract(f"{hoster.url}/embed-cookie.html")

    assert source.headers["Cookie"] == "session=abc123"
    assert source.headers["Referer"] == f"{hoster.url}/"
    assert "Chrome/" in source.headers["User-Agent"]
    assert "sec-ch-ua" in source.headers
