"""Reading HLS playlists as hosters serve them."""

import pytest

from downloads import hls
from downloads.media import MediaVerificationError

BASE = "https://cdn.example.com/stream/path/master.m3u8"


def test_the_variant_with_the_highest_bandwidth_is_chosen_and_made_absolute():
    master = """#EXTM3U
#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360
low/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=2400000,RESOLUTION=1280x720,CODECS="avc1.4d401f,mp4a.40.2"
https://other.example.com/hd/index.m3u8
#EXT-X-STREAM-INF:BANDWIDTH=1200000
/mid/index.m3u8
"""
    assert hls.best_variant(master, BASE) == "https://other.example.com/hd/index.m3u8"


def test_a_media_playlist_has_no_variant():
    assert hls.best_variant("#EXTM3U\n#EXTINF:4,\nseg1.ts\n", BASE) is None


def test_segments_come_in_order_with_durations_and_absolute_uris():
    playlist = hls.parse_media_playlist(
        """#EXTM3U
#EXT-X-TARGETDURATION:5
#EXT-X-MEDIA-SEQUENCE:7
#EXTINF:4.5,
seg7.ts
#EXTINF:3.25,title
../other/seg8.ts?token=abc
#EXT-X-ENDLIST
""",
        BASE,
    )
    assert [(s.uri, s.duration, s.sequence) for s in playlist.segments] == [
        ("https://cdn.example.com/stream/path/seg7.ts", 4.5, 7),
        ("https://cdn.example.com/stream/other/seg8.ts?token=abc", 3.25, 8),
    ]
    assert playlist.duration == 7.75
    assert playlist.init_section is None


def test_keys_byte_ranges_and_init_sections_are_read():
    playlist = hls.parse_media_playlist(
        """#EXTM3U
#EXT-X-PLAYLIST-TYPE:VOD
#EXT-X-MAP:URI="init.mp4",BYTERANGE="720@0"
#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example.com/k1",IV=0x0000000000000000000000000000000A
#EXTINF:2,
#EXT-X-BYTERANGE:1000@720
media.mp4
#EXTINF:2,
#EXT-X-BYTERANGE:500
media.mp4
#EXT-X-KEY:METHOD=NONE
#EXTINF:2,
plain.m4s
""",
        BASE,
    )
    first, second, third = playlist.segments
    assert playlist.init_section == "https://cdn.example.com/stream/path/init.mp4"
    assert playlist.init_range == hls.ByteRange(720, 0)
    assert first.key == hls.Key("AES-128", "https://keys.example.com/k1", (10).to_bytes(16, "big"))
    assert first.byte_range == hls.ByteRange(1000, 720)
    assert second.byte_range == hls.ByteRange(500, 1720)  # continues where the last ended
    assert third.key == hls.Key("NONE")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("#EXTM3U\n#EXT-X-ENDLIST\n", "lists no segment"),
        ("#EXTM3U\n#EXTINF:4,\nseg1.ts\n", "live stream"),
        ('#EXTM3U\n#EXT-X-KEY:METHOD=SAMPLE-AES,URI="k"\n#EXTINF:4,\ns.ts\n', "SAMPLE-AES"),
        ("#EXTM3U\n#EXTINF:four,\ns.ts\n#EXT-X-ENDLIST\n", "bad #EXTINF"),
    ],
    ids=["empty", "live", "sample-aes", "bad-duration"],
)
def test_playlists_we_cannot_download_say_why(text, message):
    with pytest.raises(MediaVerificationError, match=message):
        hls.parse_media_playlist(text, BASE)
