"""What hoster bytes may make the downloader do: fetch only public (or allowed)
addresses, at every hop, and never let ffmpeg open what a hoster names.

The fake hosters are allowed (``hosters`` fixture); ``page_server`` is another
server on 127.0.0.1 that nobody allowed: an "internal" service the hoster points
at. Before the guard, its reply was fetched and remuxed into the episode.
"""

from __future__ import annotations

import os

import pytest

from aniworld.addresses import BlockedAddressError
from downloads.hosters import MediaSource
from downloads.media import MediaVerificationError, verify_media
from tests.factories import add_series, queue_episode
from tests.fakes.server import Reply

PROFILE = 'profiles="urn:mpeg:dash:profile:isoff-on-demand:2011" minBufferTime="PT1S"'
MPD_NAMING_A_LOCAL_FILE = """<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT3S">
  <Period><AdaptationSet mimeType="video/mp4"><Representation id="1" bandwidth="1">
    <BaseURL>file:///etc/passwd</BaseURL>
  </Representation></AdaptationSet></Period>
</MPD>
"""


@pytest.fixture
def internal(page_server, media_set):
    """A real segment on a 127.0.0.1 port that is not allowed."""
    segment = media_set.hls_dir / "seg000.ts"
    page_server.route("GET", "/internal/seg.ts", lambda request: Reply(file=segment))
    page_server.route("GET", "/internal/key", lambda request: Reply(200, b"k" * 16))
    page_server.requests.clear()
    return page_server


def playlist(*segments: str, key: str = "") -> str:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:1", "#EXT-X-PLAYLIST-TYPE:VOD"]
    if key:
        lines.append(f'#EXT-X-KEY:METHOD=AES-128,URI="{key}"')
    for uri in segments:
        lines += ["#EXTINF:1.0,", uri]
    return "\n".join([*lines, "#EXT-X-ENDLIST", ""])


def test_a_segment_on_a_private_address_is_refused_and_never_fetched(
    extract, download, hosters, internal, tmp_path
):
    hosters.serve_media_playlist(playlist("seg000.ts", f"{internal.url}/internal/seg.ts"))

    with pytest.raises(BlockedAddressError, match=r"refused to fetch 127\.0\.0\.1:\d+"):
        download(extract("VOE"))

    assert internal.requests == []
    assert os.listdir(tmp_path) == []


def test_a_segment_that_names_a_local_file_is_refused(extract, download, hosters, tmp_path):
    hosters.serve_media_playlist(playlist("seg000.ts", "file:///etc/passwd"))

    with pytest.raises(BlockedAddressError, match="not an http"):
        download(extract("VOE"))

    assert os.listdir(tmp_path) == []


def test_a_key_on_a_private_address_is_refused(extract, download, hosters, internal, tmp_path):
    hosters.serve_media_playlist(playlist("seg000.ts", key=f"{internal.url}/internal/key"))

    with pytest.raises(BlockedAddressError):
        download(extract("VOE"))

    assert internal.requests == []
    assert os.listdir(tmp_path) == []


def test_a_variant_on_a_private_address_is_refused(serve, download, internal):
    # The master playlist's server is allowed as 127.0.0.1:<port>; "localhost" on the
    # same port resolves to loopback too, but nobody listed it.
    port = internal.url.rsplit(":", 1)[1]
    master = serve(
        f"#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nhttp://localhost:{port}/internal/index.m3u8\n",
        content_type="application/vnd.apple.mpegurl",
    )

    with pytest.raises(BlockedAddressError, match=f"refused to fetch localhost:{port}"):
        download(MediaSource(master, "hls"))

    assert [r.path for r in internal.requests] == [master.removeprefix(internal.url)]


def test_a_redirect_to_a_private_address_is_refused_before_it_is_followed(
    download, hosters, internal, tmp_path, settings
):
    hosters.cdn.route(
        "GET",
        "/moved/video.mp4",
        lambda request: Reply(302, headers={"Location": f"{internal.url}/internal/seg.ts"}),
    )

    with pytest.raises(BlockedAddressError):
        download(MediaSource(f"{hosters.cdn.url}/moved/video.mp4", "http"))

    assert internal.requests == []
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    ("body", "what"),
    [
        (MPD_NAMING_A_LOCAL_FILE, "a DASH manifest"),
        ("#EXTM3U\n#EXTINF:3,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n", "a playlist"),
    ],
    ids=["dash", "hls"],
)
def test_a_segment_that_is_a_manifest_is_refused(extract, download, hosters, tmp_path, body, what):
    hosters.cdn.route(
        "GET", "/voe/hls/manifest.ts", lambda request: Reply(200, body, content_type="video/mp2t")
    )
    hosters.serve_media_playlist(playlist("seg000.ts", "manifest.ts", "seg002.ts"))

    with pytest.raises(MediaVerificationError, match=f"served {what} instead of a video segment"):
        download(extract("VOE"))

    assert os.listdir(tmp_path) == []


def test_ffmpeg_opens_no_file_that_a_downloaded_file_names(media_set, tmp_path):
    """A "video" that is a DASH manifest naming a real local video. A Latin-1 byte
    makes it invalid UTF-8, so it passes for binary; without the allow-lists ffmpeg
    reads the local file through its DASH demuxer and calls the result playable."""
    manifest = MPD_NAMING_A_LOCAL_FILE.replace("file:///etc/passwd", f"file://{media_set.mp4}")
    manifest = manifest.replace(
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0" encoding="ISO-8859-1"?><!-- \xff -->',
    )
    manifest = manifest.replace('type="static"', PROFILE + ' type="static"')
    path = tmp_path / "episode.mp4"
    path.write_bytes(manifest.encode("latin-1"))

    with pytest.raises(MediaVerificationError, match="cannot read"):
        verify_media(path)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("library_root")
def test_the_item_fails_clearly_and_nothing_lands_when_a_segment_is_private(
    api, world, hosters, internal, library_root
):
    hosters.serve_media_playlist(playlist("seg000.ts", f"{internal.url}/internal/seg.ts"))
    hosters.break_page("Vidoza")
    add_series(api)

    item = queue_episode(api)

    assert item.status == "failed"
    assert "VOE (German dub): refused to fetch 127.0.0.1:" in item.error
    assert "private or local address" in item.error
    assert internal.requests == []
    files = [p.relative_to(library_root).as_posix() for p in library_root.rglob("*.mp4")]
    assert files == []
