"""The 2026 hosters through the whole pipeline: the name on the episode page picks
the extractor, whatever domain the link leads to.

On the s.to imitation, Tom & Jerry S01E01 is offered by VOE and Filemoon, Dark S01E02
by VOE and Doodstream (all German dub); VOE is broken so the other one has to work.
"""

from __future__ import annotations

import pytest

from downloads.media import verify_media
from tests.factories import add_series, queue_episode
from tests.fakes.world import connect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("library_root")]


@pytest.fixture
def sto_world(sto_site, hosters):
    connect(sto_site, hosters)
    hosters.break_page("VOE")
    return sto_site


def download(api, key, season, episode):
    add_series(api, key, "s.to")
    return queue_episode(api, season, episode, key=key)


@pytest.mark.parametrize("style", ["api", "api_spare", "moved", "packed"])
def test_a_filemoon_link_becomes_a_playable_file(api, sto_world, hosters, library_root, style):
    hosters.filemoon.style = style

    item = download(api, "tom-and-jerry", 1, 1)

    assert item.status == "completed", item.error
    assert item.hoster == "Filemoon"
    assert 2.5 < verify_media(library_root / item.file_path) < 3.5
    segments = hosters.media_requests("/filemoon/hls/")
    assert segments
    assert {r.headers["referer"] for r in segments} == {hosters.filemoon.landing_url}


def test_a_doodstream_link_on_a_mirror_domain_becomes_a_playable_file(
    api, sto_world, hosters, library_root
):
    hosters.dood_on_mirror()

    item = download(api, "dark", 1, 2)

    assert item.status == "completed", item.error
    assert item.hoster == "Doodstream"
    assert any(r.path.startswith("/pass_md5/") for r in hosters.dood_mirror.requests)
    media = hosters.media_requests("/dood/")
    assert {r.headers["referer"] for r in media} == {hosters.dood_mirror.url + "/"}
