"""Site and hoster traffic looks like Chrome and honours the CA bundle, the proxy and
DNS-over-HTTPS (DESIGN.md, "Reaching the sites").

The site here sits behind a TLS front that, like aniworld.to since August 2026,
answers 403 to handshakes that are not a browser's (tests/fakes/tls.py).
"""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import pytest

from aniworld.errors import RemoteUnavailable
from aniworld.http import ClientPolicy, SiteClient, reset_clients
from aniworld.transport import BROWSER_USER_AGENT, CHROME_VERSION, ca_bundle
from library.providers import get_provider
from tests.fakes.proxies import FakeSocks5
from tests.fakes.server import FakeServer, Reply
from tests.fakes.tls import BrowserOnlyTLS

BLOCKED_NAME = "aniworld.invalid"  # resolvable only through the fakes


@pytest.fixture
def browser_only(running_aniworld, settings, monkeypatch):
    """The fake aniworld.to behind the fingerprint-checking TLS front, configured."""
    running_aniworld.reset()
    with BrowserOnlyTLS(running_aniworld.url, names=(BLOCKED_NAME,)) as front:
        settings.ANIWORLD_CA_BUNDLE = str(front.ca_path)
        monkeypatch.setenv("ANIWORLD_SITE_URL", front.url)
        reset_clients()
        yield front
        reset_clients()


def quick_client(name: str = "site") -> SiteClient:
    return SiteClient(name, policy=ClientPolicy(retries=0, requests_per_second=0))


def test_the_app_gets_past_a_site_that_refuses_non_browser_handshakes(browser_only):
    info = get_provider("aniworld.to").series("attack-on-titan")

    assert info.name == "Attack on Titan"
    hello = browser_only.hellos[-1]
    assert hello.has_grease
    assert "h2" in hello.alpn


def test_plain_httpx_is_refused_by_the_same_site(browser_only):
    response = httpx.get(
        f"{browser_only.url}/anime/stream/attack-on-titan",
        verify=ssl.create_default_context(cafile=browser_only.ca_path),
    )

    assert response.status_code == 403
    assert not browser_only.hellos[-1].looks_like_a_browser


def test_requests_carry_the_impersonated_chromes_headers_in_its_order(
    browser_only, running_aniworld
):
    get_provider("aniworld.to").series("attack-on-titan")

    headers = running_aniworld.server.requests[-1].headers
    assert headers["user-agent"] == BROWSER_USER_AGENT
    assert f'v="{CHROME_VERSION}"' in headers["sec-ch-ua"]
    assert headers["accept-language"].startswith("de-DE")
    names = list(headers)
    assert names.index("sec-ch-ua") < names.index("user-agent") < names.index("accept")


def test_without_the_ca_bundle_the_test_servers_certificate_is_refused(browser_only, settings):
    settings.ANIWORLD_CA_BUNDLE = ""

    with pytest.raises(RemoteUnavailable, match="TLS handshake failed"):
        quick_client().get(browser_only.url + "/")


def test_the_ca_bundle_adds_to_the_public_roots_instead_of_replacing_them(browser_only):
    combined = Path(ca_bundle()).read_bytes()
    assert browser_only.ca_path.read_bytes().strip() in combined
    assert combined.count(b"BEGIN CERTIFICATE") > 100  # certifi's roots are still there


def test_dns_over_https_reaches_a_site_whose_name_the_system_cannot_resolve(browser_only, settings):
    url = f"https://{BLOCKED_NAME}:{browser_only.port}/anime/stream/attack-on-titan"
    with pytest.raises(RemoteUnavailable, match="does not resolve"):
        quick_client("without-doh").get(url)

    settings.DNS_OVER_HTTPS = f"{browser_only.url}/dns-query"
    response = quick_client("with-doh").get(url)

    assert response.status_code == 200
    assert "Attack on Titan" in response.text
    assert BLOCKED_NAME in browser_only.dns_queries


def test_an_http_proxy_carries_site_traffic(settings):
    with FakeServer() as proxy:
        proxy.route("GET", "/anime/stream/x", lambda request: Reply(200, "<p>via the proxy</p>"))
        settings.ANIWORLD_PROXY = proxy.url

        response = quick_client().get(f"http://{BLOCKED_NAME}/anime/stream/x")

    assert response.text == "<p>via the proxy</p>"
    assert proxy.requests[-1].headers["host"] == BLOCKED_NAME


def test_a_socks5h_proxy_resolves_the_sites_name_itself(running_aniworld, settings):
    running_aniworld.reset()
    port = running_aniworld.url.rsplit(":", 1)[1]
    with FakeSocks5({BLOCKED_NAME: "127.0.0.1"}) as proxy:
        settings.ANIWORLD_PROXY = proxy.url

        response = quick_client().get(f"http://{BLOCKED_NAME}:{port}/anime/stream/attack-on-titan")

    assert "Attack on Titan" in response.text
    assert proxy.requested == [(BLOCKED_NAME, int(port))]


def test_tmdb_style_clients_keep_plain_httpx_and_ignore_the_proxy(settings):
    with FakeServer() as api, FakeServer() as proxy:
        api.route(
            "GET", "/3/ping", lambda request: Reply(200, "{}", content_type="application/json")
        )
        settings.ANIWORLD_PROXY = proxy.url
        client = SiteClient("tmdb", api.url, ClientPolicy(browser=False, retries=0))

        assert client.get("/3/ping").json() == {}

    assert proxy.requests == []
    assert "sec-ch-ua" not in api.requests[-1].headers
