import pytest

from downloads.hosters import ExtractionError, get_extractor
from downloads.hosters.vidmoly import VidmolyExtractor


def test_it_is_found_by_name_in_any_case():
    assert isinstance(get_extractor("VIDMOLY"), VidmolyExtractor)


def test_it_finds_the_hls_playlist_in_the_player_sources(extract, hosters):
    source = extract("Vidmoly")

    assert source.url == f"{hosters.cdn.url}/vidmoly/hls/master.m3u8"
    assert source.kind == "hls"


def test_the_stream_request_carries_the_embed_origin_as_referer(extract, hosters):
    assert extract("Vidmoly").headers["Referer"] == hosters.vidmoly.url + "/"


@pytest.mark.parametrize(
    "sources",
    [
        'sources: [{file:"https://box.vmeas.cloud/hls/xx,.urlset/master.m3u8"}]',
        "sources : [ { file : 'https://box.vmeas.cloud/hls/xx,.urlset/master.m3u8' } ]",
        '"sources": [{"file": "https://box.vmeas.cloud/hls/xx,.urlset/master.m3u8"}]',
    ],
    ids=["usual", "spaced-single-quotes", "json"],
)
def test_it_tolerates_how_the_sources_are_written(extract, serve, sources):
    url = serve(f"<html><script>player.setup({{ {sources}, width: '100%' }});</script></html>")

    assert extract("Vidmoly", url).url == "https://box.vmeas.cloud/hls/xx,.urlset/master.m3u8"


def test_it_skips_files_that_are_not_playlists(extract, serve):
    url = serve(
        "<html><script>player.setup({ tracks: [{file:\"/thumbs/xx.vtt\", kind:'thumbnails'}],"
        ' sources: [{file:"https://box.vmeas.cloud/hls/xx/master.m3u8?t=1&s=2"}] });'
        "</script></html>"
    )

    assert extract("Vidmoly", url).url == "https://box.vmeas.cloud/hls/xx/master.m3u8?t=1&s=2"


def test_a_page_without_a_playlist_is_a_permanent_error(extract, hosters):
    hosters.break_page("Vidmoly")

    with pytest.raises(ExtractionError, match="no video source") as info:
        extract("Vidmoly")

    assert info.value.retryable is False


def test_a_server_error_is_retryable(extract, hosters):
    hosters.fail_page("Vidmoly")

    with pytest.raises(ExtractionError) as info:
        extract("Vidmoly")

    assert info.value.retryable is True
    assert info.value.status_code == 503
