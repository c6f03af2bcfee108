"""Bot checks: with FLARESOLVERR_URL a challenge page goes to FlareSolverr once, and its
cookies and User-Agent carry the following requests until they expire; without it
the error names the check."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from aniworld.errors import ChallengeError
from library.providers import get_provider
from tests.fakes.flaresolverr import FakeFlareSolverr
from tests.fakes.server import Reply


@pytest.fixture(scope="session")
def running_flaresolverr():
    with FakeFlareSolverr(lifetime=3600) as solver:
        yield solver


@pytest.fixture
def solver(running_flaresolverr, settings):
    running_flaresolverr.asked.clear()
    running_flaresolverr.failing = False
    settings.FLARESOLVERR_URL = running_flaresolverr.url
    return running_flaresolverr


@pytest.fixture
def guarded(aniworld_site, running_flaresolverr):
    """The fake aniworld.to behind a Cloudflare check that only FlareSolverr passes."""
    aniworld_site.require_clearance(running_flaresolverr.token, running_flaresolverr.user_agent)
    return aniworld_site


def test_a_challenge_is_solved_once_and_the_clearance_reused(guarded, solver):
    provider = get_provider("aniworld.to")

    assert provider.series("attack-on-titan").name == "Attack on Titan"
    episodes = provider.episodes("attack-on-titan", 1)
    provider.links(episodes[0].url)

    assert solver.asked == [f"{guarded.url}/anime/stream/attack-on-titan"]
    last = guarded.server.requests[-1].headers
    assert last["user-agent"] == solver.user_agent
    assert f"cf_clearance={solver.token}" in last["cookie"]


def test_an_expired_clearance_is_asked_for_again(guarded, solver):
    provider = get_provider("aniworld.to")
    start = datetime.datetime.now(datetime.UTC)
    with time_machine.travel(start, tick=True):
        provider.series("attack-on-titan")
    with time_machine.travel(start + datetime.timedelta(hours=2), tick=True):
        provider.episodes("attack-on-titan", 1)

    assert len(solver.asked) == 2


def test_without_flaresolverr_the_error_names_the_browser_check(guarded, settings):
    settings.FLARESOLVERR_URL = ""

    with pytest.raises(ChallengeError) as raised:
        get_provider("aniworld.to").series("attack-on-titan")

    assert "Cloudflare browser check" in raised.value.message
    assert "FLARESOLVERR_URL" in raised.value.message


def test_a_failing_flaresolverr_is_named_in_the_error(guarded, solver):
    solver.failing = True

    with pytest.raises(ChallengeError, match="FlareSolverr could not pass"):
        get_provider("aniworld.to").series("attack-on-titan")


def test_an_altcha_check_is_named_as_such(aniworld_site, settings):
    settings.FLARESOLVERR_URL = ""
    aniworld_site.route(
        "GET",
        r"/anime/stream/(?P<key>[a-z0-9-]+)",
        lambda request, key: Reply(
            200, '<html><body><altcha-widget challengeurl="/altcha"></altcha-widget></body></html>'
        ),
    )

    with pytest.raises(ChallengeError, match="ALTCHA"):
        get_provider("aniworld.to").series("attack-on-titan")
