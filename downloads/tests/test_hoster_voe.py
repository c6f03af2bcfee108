import base64
import json

import pytest

from downloads.hosters import ExtractionError, UnsupportedHoster, get_extractor, is_supported
from downloads.hosters.voe import VoeExtractor, decode_voe_payload
from tests.fakes.hosters import encode_voe_payload

PAYLOAD = {
    "source": "https://cdn.example/engine/hls2/01/abc/master.m3u8?t=x&s=1",
    "direct_access_url": "https://cdn.example/engine/download/abc.mp4",
}


def voe_page(body: str) -> str:
    return f"<!DOCTYPE html><html><body><div id='player'></div>{body}</body></html>"


def test_it_is_found_by_name_in_any_case():
    assert isinstance(get_extractor("VOE"), VoeExtractor)
    assert isinstance(get_extractor(" voe "), VoeExtractor)
    assert is_supported("Voe")


def test_an_unknown_hoster_name_is_a_clear_permanent_error():
    with pytest.raises(UnsupportedHoster, match=r"Streamtape.*supported: VOE, Vidoza") as info:
        get_extractor("Streamtape")

    assert info.value.retryable is False
    assert not is_supported("Streamtape")


def test_it_decodes_what_the_voe_encoding_produces():
    assert decode_voe_payload(encode_voe_payload(PAYLOAD)) == PAYLOAD


def test_it_rejects_strings_that_are_not_voe_data():
    with pytest.raises(ValueError, match="not a VOE payload"):
        decode_voe_payload("just some text!")


def test_it_decodes_the_voe_json_array(extract, hosters):
    source = extract("VOE")

    assert source.url == f"{hosters.cdn.url}/voe/hls/master.m3u8"
    assert source.kind == "hls"
    assert source.headers["Referer"] == hosters.voe.url + "/"
    assert "Mozilla/5.0" in source.headers["User-Agent"]


def test_it_decodes_a_bare_encoded_string(extract, hosters):
    hosters.voe_style = "string"

    assert extract("VOE").url == f"{hosters.cdn.url}/voe/hls/master.m3u8"


def test_it_reads_the_plain_hls_variable_of_older_pages(extract, hosters):
    hosters.voe_style = "hls_variable"

    assert extract("VOE").url == f"{hosters.cdn.url}/voe/hls/master.m3u8"


def test_it_follows_the_javascript_redirect_to_a_mirror_domain(extract, hosters):
    hosters.voe_style = "mirror"

    source = extract("VOE")

    assert source.url == f"{hosters.cdn.url}/voe/hls/master.m3u8"
    assert source.headers["Referer"] == hosters.voe_mirror.url + "/"


def test_it_gives_up_on_endless_mirror_redirects(extract, hosters):
    hosters.redirect_forever("VOE")

    with pytest.raises(ExtractionError, match="still redirecting") as info:
        extract("VOE")

    assert info.value.retryable is False
    assert len(hosters.voe.requests) + len(hosters.voe_mirror.requests) == 3


def test_a_page_without_a_source_is_a_permanent_error(extract, hosters):
    hosters.break_page("VOE")

    with pytest.raises(ExtractionError, match="no video source") as info:
        extract("VOE")

    assert info.value.retryable is False
    assert info.value.hoster == "VOE"


def test_a_removed_video_is_a_permanent_error(extract, hosters):
    hosters.remove_page("VOE")

    with pytest.raises(ExtractionError, match="404") as info:
        extract("VOE")

    assert info.value.retryable is False
    assert info.value.status_code == 404


def test_a_server_error_is_retried_and_then_retryable(extract, hosters):
    hosters.fail_page("VOE")

    with pytest.raises(ExtractionError, match="503") as info:
        extract("VOE")

    assert info.value.retryable is True
    assert len(hosters.voe.requests) == 3  # the first try and two retries


def test_an_unreachable_hoster_is_retryable(extract):
    with pytest.raises(ExtractionError) as info:
        extract("VOE", "http://127.0.0.1:9/e/abc")

    assert info.value.retryable is True


def test_it_prefers_the_hls_source_over_the_direct_mp4(extract, serve):
    encoded = encode_voe_payload(PAYLOAD)
    url = serve(voe_page(f'<script type="application/json">["{encoded}"]</script>'))

    assert extract("VOE", url).url == PAYLOAD["source"]


def test_it_falls_back_to_the_direct_mp4_when_there_is_no_hls(extract, serve):
    encoded = encode_voe_payload({"direct_access_url": PAYLOAD["direct_access_url"]})
    url = serve(voe_page(f'<script type="application/json">["{encoded}"]</script>'))

    source = extract("VOE", url)

    assert source.url == PAYLOAD["direct_access_url"]
    assert source.kind == "http"


@pytest.mark.parametrize(
    "script",
    [
        "<script type='application/json'>[\"{encoded}\"]</script>",
        '<script id="sources" type="application/json" nonce="x">\n  [ "{encoded}" ]\n</script>',
        '<SCRIPT TYPE="application/json">"{encoded}"</SCRIPT>',
        '<script type="application/json">{encoded}</script>',
        '<script type="application/json">{{"other": 1}}</script>'
        '<script type="application/json">["{encoded}"]</script>',
    ],
    ids=["single-quoted-type", "whitespace-and-attributes", "upper-case", "unquoted", "decoy"],
)
def test_it_tolerates_how_the_encoded_script_is_written(extract, serve, script):
    page = voe_page(script.format(encoded=encode_voe_payload(PAYLOAD)))
    url = serve(page)

    assert extract("VOE", url).url == PAYLOAD["source"]


@pytest.mark.parametrize(
    "script",
    [
        "var sources = {'hls': '{url}', 'video_height': 720};",
        'var sources = {"hls" : "{url}"};',
        "var sources = {hls: '{url}'};",
        "var sources = {'hls': '{base64}'}; var src = atob(sources.hls);",
    ],
    ids=["single-quotes", "double-quotes", "bare-key", "base64"],
)
def test_it_tolerates_how_the_hls_variable_is_written(extract, serve, script):
    url = "https://cdn.example/hls/abc/master.m3u8"
    base64_url = base64.b64encode(url.encode()).decode()
    script = script.replace("{url}", url).replace("{base64}", base64_url)
    page_url = serve(voe_page(f"<script>{script}</script>"))

    assert extract("VOE", page_url).url == url


@pytest.mark.parametrize(
    "redirect",
    [
        "window.location.href = '{target}';",
        'window.location="{target}"',
        "location.replace( '{target}' );",
    ],
    ids=["href", "location", "replace"],
)
def test_it_understands_the_usual_ways_of_redirecting(extract, serve, redirect):
    encoded = encode_voe_payload(PAYLOAD)
    target = serve(voe_page(f'<script type="application/json">{json.dumps([encoded])}</script>'))
    start = serve(voe_page("<script>" + redirect.replace("{target}", target) + "</script>"))

    assert extract("VOE", start).url == PAYLOAD["source"]
