"""Index-site mirrors: failover, memory, the 10-minute retry of the preferred one,
the bare IP with a Host header, and where the owner sees and edits them."""

from __future__ import annotations

import datetime
import os
import socket
import subprocess
import sys

import pytest
import time_machine
from django.conf import settings

from aniworld import mirrors
from aniworld.errors import ChallengeError, RemoteUnavailable
from aniworld.http import reset_clients
from library.providers import get_provider, provider_for_url
from tests.fakes.aniworld_site import FakeAniworld


@pytest.fixture(scope="session")
def running_second_aniworld():
    with FakeAniworld() as site:
        yield site


@pytest.fixture
def second(running_second_aniworld):
    """Another aniworld.to mirror, serving normally until a test breaks it."""
    running_second_aniworld.reset()
    return running_second_aniworld


@pytest.fixture
def dead_url() -> str:
    """A mirror nobody answers at: a port that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def use_mirrors(monkeypatch, *urls: str) -> None:
    monkeypatch.setenv("ANIWORLD_SITE_URL", ",".join(urls))
    reset_clients()


def aniworld_state() -> dict:
    return mirrors.overview()["aniworld.to"]


def test_a_dead_preferred_mirror_hands_over_to_the_next(monkeypatch, dead_url, aniworld_site):
    use_mirrors(monkeypatch, dead_url, aniworld_site.url)

    assert get_provider("aniworld.to").series("attack-on-titan").name == "Attack on Titan"

    state = aniworld_state()
    assert state["in_use"] == aniworld_site.url
    dead = state["mirrors"][0]
    assert dead["url"] == dead_url
    assert dead["preferred"]
    assert "could not connect" in dead["last_error"]
    assert dead["last_failure_at"]


@pytest.mark.parametrize("block", ["403", "451", "cuii"])
def test_a_blocked_mirror_is_skipped_and_not_asked_again(monkeypatch, second, aniworld_site, block):
    second.serve_block(block)
    use_mirrors(monkeypatch, second.url, aniworld_site.url)
    provider = get_provider("aniworld.to")

    provider.series("attack-on-titan")
    asked_before = len(second.server.requests)
    provider.episodes("attack-on-titan", 1)

    assert len(second.server.requests) == asked_before == 1
    assert aniworld_state()["in_use"] == aniworld_site.url
    expected = "block notice" if block == "cuii" else f"HTTP {block}"
    assert expected in aniworld_state()["mirrors"][0]["last_error"]


def test_a_bot_challenge_is_not_a_block_and_does_not_switch_mirrors(
    monkeypatch, second, aniworld_site
):
    second.serve_challenge(403)
    use_mirrors(monkeypatch, second.url, aniworld_site.url)

    with pytest.raises(ChallengeError, match="browser check"):
        get_provider("aniworld.to").series("attack-on-titan")

    assert aniworld_site.requested_paths() == []


def test_the_preferred_mirror_is_tried_again_after_ten_minutes(monkeypatch, second, aniworld_site):
    second.serve_block("451")
    use_mirrors(monkeypatch, second.url, aniworld_site.url)
    provider = get_provider("aniworld.to")
    start = datetime.datetime.now(datetime.UTC)
    with time_machine.travel(start, tick=True):
        provider.series("attack-on-titan")
    second.reset()  # unblocked again

    with time_machine.travel(start + datetime.timedelta(minutes=9), tick=True):
        provider.series("attack-on-titan")
        assert second.requested_paths() == []
    with time_machine.travel(start + datetime.timedelta(minutes=11), tick=True):
        provider.series("attack-on-titan")
        assert second.requested_paths() == ["/anime/stream/attack-on-titan"]
        assert aniworld_state()["in_use"] == second.url


def test_the_working_mirror_is_remembered_outside_the_client(monkeypatch, second, aniworld_site):
    second.serve_block("403")
    use_mirrors(monkeypatch, second.url, aniworld_site.url)
    get_provider("aniworld.to").series("attack-on-titan")
    reset_clients()  # what a new process starts with: no client, only the shared cache

    get_provider("aniworld.to").series("attack-on-titan")

    assert len(second.server.requests) == 1


def test_when_every_mirror_fails_the_error_names_each_and_what_to_do(monkeypatch, dead_url, second):
    second.serve_block("cuii")
    use_mirrors(monkeypatch, dead_url, second.url)

    with pytest.raises(RemoteUnavailable) as raised:
        get_provider("aniworld.to").series("attack-on-titan")

    message = raised.value.message
    assert dead_url in message
    assert second.url in message
    assert "DNS_OVER_HTTPS" in message


def test_a_bare_ip_mirror_is_sent_the_first_domain_mirrors_name_as_host(monkeypatch, aniworld_site):
    port = aniworld_site.url.rsplit(":", 1)[1]
    # The domain does not resolve (a DNS block); the IP is the same server.
    use_mirrors(monkeypatch, f"http://aniworld.invalid:{port}", aniworld_site.url)

    get_provider("aniworld.to").series("attack-on-titan")

    assert aniworld_site.server.requests[-1].headers["host"] == "aniworld.invalid"
    assert "does not resolve" in aniworld_state()["mirrors"][0]["last_error"]


def test_stored_links_are_site_relative_and_follow_a_mirror_change(
    monkeypatch, second, aniworld_site
):
    use_mirrors(monkeypatch, second.url, aniworld_site.url)
    provider = get_provider("aniworld.to")
    episode = provider.episodes("attack-on-titan", 1)[0]
    stored = provider.relative(episode.url)
    assert stored.startswith("/anime/stream/attack-on-titan/staffel-1/")

    second.serve_block("451")
    links = provider.links(stored)

    assert links
    assert aniworld_site.requested_paths()[-1] == stored


def test_the_default_s_to_mirrors_no_longer_start_with_s_to():
    assert mirrors.site_mirrors("s.to") == [
        "https://serienstream.to",
        "https://serienstream.cx",
        "http://186.2.175.5",
    ]


def test_a_pasted_url_under_a_mirrors_path_prefix_is_a_series_url(monkeypatch):
    monkeypatch.setenv("ANIWORLD_SITE_URL", "http://192.168.1.20:8080/aw")

    provider, key = provider_for_url("http://192.168.1.20:8080/aw/anime/stream/one-piece/staffel-2")

    assert (provider.site, key) == ("aniworld.to", "one-piece")


@pytest.mark.parametrize(
    "url",
    [
        "https://serienstream.to/serie/dark/staffel-1/episode-2",
        "https://serienstream.cx/serie/stream/dark",
        "http://186.2.175.5/serie/dark",
        "https://s.to/serie/dark",
    ],
)
def test_pasted_urls_of_every_known_s_to_domain_are_accepted(url):
    provider, key = provider_for_url(url)

    assert (provider.site, key) == ("s.to", "dark")


def test_health_shows_the_mirror_in_use_and_each_mirrors_last_failure(
    api, monkeypatch, dead_url, aniworld_site
):
    use_mirrors(monkeypatch, dead_url, aniworld_site.url)
    get_provider("aniworld.to").series("attack-on-titan")

    body = api.get("/health/detailed").json()

    site = body["mirrors"]["aniworld.to"]
    assert site["in_use"] == aniworld_site.url
    assert [m["url"] for m in site["mirrors"]] == [dead_url, aniworld_site.url]
    assert site["mirrors"][0]["last_error"]
    assert site["mirrors"][1]["last_failure_at"] is None
    assert body["mirrors"]["s.to"]["in_use"] == "https://serienstream.to"


def test_the_system_page_lists_the_mirrors_and_their_failures(
    owner_client, monkeypatch, dead_url, aniworld_site
):
    use_mirrors(monkeypatch, dead_url, aniworld_site.url)
    get_provider("aniworld.to").series("attack-on-titan")

    page = owner_client.get("/system/").content.decode()

    assert "Site mirrors" in page
    assert dead_url in page
    assert "could not connect" in page
    assert "https://serienstream.cx" in page


def test_the_settings_page_edits_the_mirror_lists(owner_client):
    response = owner_client.post(
        "/settings/metadata",
        {
            "metadata-aniworld_urls": "https://aniworld.to\nhttps://mirror.example/aw",
            "metadata-sto_urls": "https://serienstream.cx\nhttp://186.2.175.5",
        },
    )

    assert response.status_code == 302
    assert mirrors.site_mirrors("aniworld.to") == [
        "https://aniworld.to",
        "https://mirror.example/aw",
    ]
    assert mirrors.site_mirrors("s.to") == ["https://serienstream.cx", "http://186.2.175.5"]


def test_the_settings_page_shows_a_bad_mirror_on_its_field(owner_client):
    response = owner_client.post(
        "/settings/metadata",
        {"metadata-aniworld_urls": "aniworld.to", "metadata-sto_urls": "https://serienstream.to"},
        HTTP_HX_REQUEST="true",
    )

    assert "&#x27;aniworld.to&#x27; is not an http(s) URL" in response.content.decode()
    assert mirrors.site_mirrors("aniworld.to") == ["https://aniworld.to"]


def test_the_api_replaces_a_mirror_list_and_refuses_a_bad_one_per_field(api):
    response = api.patch(
        "/api/config", {"sites": {"sto_urls": ["https://serienstream.cx"]}}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["sites"]["sto_urls"] == ["https://serienstream.cx"]

    response = api.patch(
        "/api/config", {"sites": {"aniworld_urls": ["https://ok.example", "nope"]}}, format="json"
    )
    assert response.status_code == 422
    assert list(response.json()["details"]) == ["sites.aniworld_urls"]


def test_an_old_config_file_with_single_urls_is_still_read(settings):
    settings.ANIWORLD_CONFIG_FILE.write_text(
        '{"sites": {"aniworld_url": "https://mirror.example", "sto_url": "https://s.to"}}'
    )

    assert mirrors.site_mirrors("aniworld.to") == ["https://mirror.example"]
    # s.to is retired: its old default becomes the new mirror list.
    assert mirrors.site_mirrors("s.to")[0] == "https://serienstream.to"


MIRROR_SCRIPT = """
from aniworld import mirrors
from library.providers import get_provider
if {fetch}:
    get_provider("aniworld.to").series("attack-on-titan")
print("IN USE", mirrors.overview()["aniworld.to"]["in_use"])
"""


@pytest.mark.slow
def test_the_worker_and_the_web_process_share_the_mirror_in_use(tmp_path, dead_url, aniworld_site):
    """One process fails over; a second one (another web or worker process, with
    the production settings and their file cache) starts on the working mirror."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DJANGO_SETTINGS_MODULE": "aniworld.settings",
        "ANIWORLD_DATA_DIR": str(tmp_path / "data"),
        "ANIWORLD_TEMP_DIR": str(tmp_path / "Temp"),
        "ANIWORLD_SITE_URL": f"{dead_url},{aniworld_site.url}",
        "REDIS_URL": "",
        "DATABASE_URL": "",
    }

    def run(fetch: bool) -> str:
        script = MIRROR_SCRIPT.format(fetch=fetch)
        done = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", script],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.split("IN USE", 1)[1].strip()

    assert run(fetch=True) == aniworld_site.url
    assert run(fetch=False) == aniworld_site.url
