"""The private-address guard: what a remote may make the server fetch."""

import pytest

from aniworld.addresses import BlockedAddressError, ensure_public_url, host_port


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/",
        "http://localhost:8000/admin/",
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8000/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
    ],
)
def test_it_refuses_private_and_local_addresses(url, settings):
    settings.ANIWORLD_ALLOW_PRIVATE_HOSTS = []
    with pytest.raises(BlockedAddressError) as raised:
        ensure_public_url(url)
    assert raised.value.code == "BLOCKED_ADDRESS"
    assert "ANIWORLD_ALLOW_PRIVATE_HOSTS" in raised.value.message


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://example.com/", "http:///nohost"])
def test_it_refuses_urls_that_are_not_http(url):
    with pytest.raises(BlockedAddressError):
        ensure_public_url(url)


def test_it_allows_public_addresses():
    ensure_public_url("http://93.184.216.34/video.mp4")
    ensure_public_url("https://[2606:4700::1111]/x")


def test_it_allows_hosts_listed_by_host_and_port_only(settings):
    settings.ANIWORLD_ALLOW_PRIVATE_HOSTS = ["127.0.0.1:9000"]
    ensure_public_url("http://127.0.0.1:9000/segment.ts")
    with pytest.raises(BlockedAddressError):
        ensure_public_url("http://127.0.0.1:9001/segment.ts")


def test_it_allows_the_configured_site_mirrors(settings):
    settings.ANIWORLD_ALLOW_PRIVATE_HOSTS = []
    settings.ANIWORLD_SITE_URL = "http://192.168.1.20:8080/aw"
    ensure_public_url("http://192.168.1.20:8080/redirect/1")
    with pytest.raises(BlockedAddressError):
        ensure_public_url("http://192.168.1.20:8081/redirect/1")


def test_host_port_uses_the_schemes_default_port():
    assert host_port("https://Example.COM/x") == "example.com:443"
    assert host_port("http://example.com/x") == "example.com:80"
    assert host_port("http://[::1]:81/") == "[::1]:81"
