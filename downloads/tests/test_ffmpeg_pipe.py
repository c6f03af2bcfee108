"""The one ffmpeg an HLS download feeds: it remuxes and, in the same pass, counts damage."""

from downloads.ffmpeg import PipedFfmpeg


def remux(segments: list[bytes], output) -> object:
    ffmpeg = PipedFfmpeg("mpegts", output)
    for data in segments:
        ffmpeg.feed(data)
    return ffmpeg.finish(lambda: False)


def segments_of(media_set) -> list[bytes]:
    return [path.read_bytes() for path in sorted(media_set.hls_dir.glob("*.ts"))]


def test_whole_segments_remux_without_damage(media_set, tmp_path):
    result = remux(segments_of(media_set), tmp_path / "out.mp4")

    assert result.returncode == 0
    assert result.corrupt_packets == 0
    assert result.read_seconds > media_set.duration - 0.5
    assert (tmp_path / "out.mp4").stat().st_size > 0


def test_a_segment_cut_mid_packet_is_counted_as_damage(media_set, tmp_path):
    first, second, *rest = segments_of(media_set)
    cut = second[: len(second) // 2 + 77]  # not on a 188-byte packet boundary

    result = remux([first, cut, *rest], tmp_path / "out.mp4")

    # ffmpeg reports such packets as warnings: a quieter log level would hide them.
    assert result.corrupt_packets > 0
    assert "corrupt" in result.last_line
