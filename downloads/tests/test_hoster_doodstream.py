import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from downloads.hosters import ExtractionError, get_extractor
from downloads.hosters.doodstream import DoodstreamExtractor
from tests.fakes.hosters import DOOD_TOKEN


def test_it_is_found_by_name_in_any_case():
    assert isinstance(get_extractor("DoodStream"), DoodstreamExtractor)


def test_it_builds_the_media_address_like_the_player_does(extract, hosters):
    before_ms = int(time.time() * 1000)

    source = extract("Doodstream")

    url = urlsplit(source.url)
    assert source.kind == "http"
    assert re.fullmatch(r"/dood/xyz789abc-194-37-1700000000/[A-Za-z0-9]{10}", url.path)
    query = parse_qs(url.query)
    assert query["token"] == [DOOD_TOKEN]
    assert before_ms <= int(query["expiry"][0]) <= int(time.time() * 1000)


def test_the_media_request_carries_the_embed_origin_as_referer(extract, hosters):
    source = extract("Doodstream")

    assert source.headers["Referer"] == hosters.dood.url + "/"


def test_it_asks_pass_md5_with_the_embed_page_as_referer_and_the_same_user_agent(extract, hosters):
    extract("Doodstream")

    page, pass_md5 = hosters.dood.requests
    assert pass_md5.path.startswith("/pass_md5/")
    assert pass_md5.headers["referer"] == hosters.embed_url("Doodstream")
    assert pass_md5.headers["user-agent"] == page.headers["user-agent"]


def test_the_random_part_differs_between_extractions(extract):
    assert extract("Doodstream").url != extract("Doodstream").url


def dood_page(pass_md5: str, token_script: str) -> str:
    return f"""<html><body><script>
    $.get( "{pass_md5}" , function(data){{ play(data + makePlay()); }});
    {token_script}
    </script></body></html>"""


def test_it_takes_the_token_from_the_pass_md5_path_when_the_page_has_none(
    extract, serve, page_server
):
    serve("https://cdn.example/abc/", path="/pass_md5/1-2-3/tok3n", content_type="text/plain")
    url = serve(dood_page("/pass_md5/1-2-3/tok3n", "function makePlay(){ return rnd(); }"))

    source = extract("Doodstream", url)

    assert source.url.startswith("https://cdn.example/abc/")
    assert "?token=tok3n&expiry=" in source.url


def test_it_accepts_an_absolute_pass_md5_address(extract, serve, page_server):
    serve("https://cdn.example/abs/", path="/pass_md5/9-9/abs", content_type="text/plain")
    url = serve(dood_page(f"{page_server.url}/pass_md5/9-9/abs", 'x + "?token=abs&expiry="'))

    assert extract("Doodstream", url).url.startswith("https://cdn.example/abs/")


def test_a_refused_pass_md5_request_is_an_error(extract, serve):
    serve("RELOAD", path="/pass_md5/4-5/reload", content_type="text/plain")
    url = serve(dood_page("/pass_md5/4-5/reload", '"?token=reload&expiry="'))

    with pytest.raises(ExtractionError, match="RELOAD") as info:
        extract("Doodstream", url)

    assert info.value.retryable is False


def test_a_missing_pass_md5_endpoint_is_a_permanent_error(extract, serve):
    url = serve(dood_page("/pass_md5/gone/gone", '"?token=gone&expiry="'))

    with pytest.raises(ExtractionError, match="404") as info:
        extract("Doodstream", url)

    assert info.value.retryable is False


def test_a_page_without_pass_md5_is_a_permanent_error(extract, hosters):
    hosters.break_page("Doodstream")

    with pytest.raises(ExtractionError, match="pass_md5") as info:
        extract("Doodstream")

    assert info.value.retryable is False


def test_a_removed_video_is_a_permanent_error(extract, hosters):
    hosters.remove_page("Doodstream")

    with pytest.raises(ExtractionError) as info:
        extract("Doodstream")

    assert info.value.status_code == 404
    assert info.value.retryable is False


def test_on_a_mirror_domain_the_mirror_is_the_referer_for_pass_md5_and_media(
    extract, download, hosters
):
    hosters.dood_on_mirror()

    source = extract("Doodstream")

    pass_md5 = next(r for r in hosters.dood_mirror.requests if r.path.startswith("/pass_md5/"))
    assert pass_md5.headers["referer"].startswith(hosters.dood_mirror.url + "/e/")
    assert source.headers["Referer"] == hosters.dood_mirror.url + "/"
    assert download(source).stat().st_size > 10_000


def test_a_mirror_domain_is_read_by_the_doodstream_extractor_chosen_by_name(extract, hosters):
    """Selection is by the name on the episode page: a d000d/ds2play address needs no
    domain list to be recognised."""
    hosters.dood_on_mirror()

    source = extract("DoodStream", f"{hosters.dood_mirror.url}/e/xyz789abc")

    assert source.url.startswith(f"{hosters.cdn.url}/dood/xyz789abc-")
