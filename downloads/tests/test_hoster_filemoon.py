import json

import pytest

from downloads.hosters import ExtractionError, HosterChallenge, get_extractor
from downloads.hosters.filemoon import (
    FilemoonExtractor,
    decrypt_playback,
    stream_url,
    unpack,
)
from tests.fakes.filemoon import encrypt_playback, pack_js


def test_it_is_found_by_name_in_any_case():
    assert isinstance(get_extractor("filemoon"), FilemoonExtractor)


def test_the_api_playback_is_decrypted_with_aes_256_gcm(extract, hosters):
    source = extract("Filemoon")

    assert source.url == f"{hosters.cdn.url}/filemoon/hls/master.m3u8"
    assert source.kind == "hls"
    api_calls = [r for r in hosters.filemoon.server.requests if r.path.startswith("/api/")]
    assert [r.path for r in api_calls] == [f"/api/videos/{hosters.filemoon.CODE}"]


def test_the_spare_pair_is_used_when_the_first_fails_its_tag(extract, hosters):
    hosters.filemoon.style = "api_spare"

    assert extract("Filemoon").url == f"{hosters.cdn.url}/filemoon/hls/master.m3u8"


def test_older_pages_are_read_through_the_iframe_and_the_packed_player(extract, hosters):
    hosters.filemoon.style = "packed"

    source = extract("Filemoon")

    assert source.url == f"{hosters.cdn.url}/filemoon/hls/master.m3u8"
    player_request = hosters.filemoon.player.requests[-1]
    assert player_request.headers["referer"] == hosters.filemoon.embed_url


def test_a_link_moved_to_another_domain_asks_that_domains_api(extract, hosters):
    hosters.filemoon.style = "moved"

    source = extract("Filemoon")

    assert source.url == f"{hosters.cdn.url}/filemoon/hls/master.m3u8"
    assert source.headers["Referer"] == f"{hosters.filemoon.moved_to.url}/e/{hosters.filemoon.CODE}"
    assert [r.path for r in hosters.filemoon.moved_to.requests] == [
        f"/e/{hosters.filemoon.CODE}",
        f"/api/videos/{hosters.filemoon.CODE}",
    ]


@pytest.mark.parametrize("style", ["api", "api_spare", "moved", "packed"])
def test_every_generation_downloads_with_the_embed_page_as_referer(
    extract, download, hosters, style
):
    hosters.filemoon.style = style
    source = extract("Filemoon")

    assert source.headers["Referer"] == hosters.filemoon.landing_url
    path = download(source)
    assert path.stat().st_size > 10_000


def test_key_parts_of_other_lengths_are_left_out_of_the_key():
    playback = encrypt_playback({"source": "https://cdn.example/a.m3u8"})

    assert decrypt_playback(playback) == {"source": "https://cdn.example/a.m3u8"}
    assert len(playback["key_parts"]) == 4


def test_a_payload_that_fails_its_tag_without_a_spare_is_refused():
    playback = encrypt_playback({"source": "x"}, spare_only=True)
    del playback["iv2"], playback["payload2"]

    with pytest.raises(ValueError, match="authentication tag"):
        decrypt_playback(playback)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"sources": [{"url": "a", "height": 480}, {"url": "b", "height": 1080}]}, "b"),
        ({"sources": [{"file": "a", "height": "720p"}, {"file": "b", "height": "360"}]}, "a"),
        ({"source": "c"}, "c"),
        ({"file": "d"}, "d"),
        ({"title": "nothing"}, None),
    ],
)
def test_the_stream_is_the_highest_source_or_source_or_file(data, expected):
    assert stream_url(data) == expected


def test_the_unpacker_restores_what_the_packer_packed():
    script = "var a='it\\'s';player.setup({sources:[{file:\"https://x.example/v/master.m3u8\"}]});"

    assert unpack(pack_js(script)) == script
    assert unpack(pack_js(script, radix=36)) == script


def test_a_page_without_packed_javascript_names_what_is_missing(extract, serve):
    url = serve("<html><body><video src='x'></video></body></html>", path="/e/nothere1")

    with pytest.raises(ExtractionError, match="packed player JavaScript"):
        extract("Filemoon", url)


def test_an_address_without_a_code_is_refused(extract, hosters):
    with pytest.raises(ExtractionError, match=r"/e/<code>"):
        extract("Filemoon", hosters.filemoon.server.url + "/watch")


def test_an_api_answer_that_does_not_decrypt_falls_back_to_the_player_page(extract, serve):
    broken = {"playback": {"key_parts": ["AAAA"], "iv": "AAAA", "payload": "AAAA"}}
    page_url = serve(
        "<script>"
        + pack_js('jwplayer().setup({sources:[{file:"https://cdn.example/f.m3u8"}]})')
        + "</script>",
        path="/e/fallback1",
    )
    serve(json.dumps(broken), path="/api/videos/fallback1", content_type="application/json")

    assert extract("Filemoon", page_url).url == "https://cdn.example/f.m3u8"


def test_a_bot_check_in_front_of_filemoon_is_a_challenge(extract, hosters):
    hosters.challenge("Filemoon", "turnstile")

    with pytest.raises(HosterChallenge):
        extract("Filemoon")
