import pytest

from downloads.hosters import ExtractionError, get_extractor
from downloads.hosters.vidoza import VidozaExtractor


def test_it_is_found_by_name_in_any_case():
    assert isinstance(get_extractor("vidoza"), VidozaExtractor)


def test_it_finds_the_mp4_in_sources_code(extract, hosters):
    source = extract("Vidoza")

    assert source.url == f"{hosters.cdn.url}/vidoza/video.mp4"
    assert source.kind == "http"
    assert source.headers["Referer"] == hosters.vidoza.url + "/"


@pytest.mark.parametrize(
    "script",
    [
        'sourcesCode: [{ src: "https://str38.vidoza.net/x/v.mp4", type: "video/mp4"}]',
        "sourcesCode:[{src:'https://str38.vidoza.net/x/v.mp4',type:'video/mp4'}]",
        '"sourcesCode" : [\n  {\n    "src" : "https:\\/\\/str38.vidoza.net\\/x\\/v.mp4",\n'
        '    "res": "720"\n  }\n]',
    ],
    ids=["usual", "compact-single-quotes", "json-escaped"],
)
def test_it_tolerates_how_sources_code_is_written(extract, serve, script):
    url = serve(f"<html><body><script>var pData = {{ {script} }};</script></body></html>")

    assert extract("Vidoza", url).url == "https://str38.vidoza.net/x/v.mp4"


def test_it_ignores_src_attributes_before_sources_code(extract, serve):
    url = serve(
        '<html><body><img src="/logo.png"><script src="/player.js"></script>'
        '<script>sourcesCode: [{ src: "https://str38.vidoza.net/x/v.mp4" }]</script></body></html>'
    )

    assert extract("Vidoza", url).url == "https://str38.vidoza.net/x/v.mp4"


def test_a_page_without_sources_code_is_a_permanent_error(extract, hosters):
    hosters.break_page("Vidoza")

    with pytest.raises(ExtractionError, match="sourcesCode not found") as info:
        extract("Vidoza")

    assert info.value.retryable is False


def test_a_removed_video_is_a_permanent_error(extract, hosters):
    hosters.remove_page("Vidoza")

    with pytest.raises(ExtractionError, match="404") as info:
        extract("Vidoza")

    assert info.value.retryable is False


def test_endless_http_redirects_are_a_permanent_error(extract, hosters):
    hosters.redirect_forever("Vidoza")

    with pytest.raises(ExtractionError, match="redirected too often") as info:
        extract("Vidoza")

    assert info.value.retryable is False
