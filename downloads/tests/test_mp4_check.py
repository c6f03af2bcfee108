"""An mp4 is checked by its boxes: complete, with a duration and a video track."""

import pytest

from downloads.media import MediaVerificationError
from downloads.mp4 import check_mp4
from tests.fakes.media import ffmpeg


def test_a_complete_video_passes_with_its_duration(media_set):
    assert check_mp4(media_set.mp4) == pytest.approx(media_set.duration, abs=0.1)


def test_a_video_with_its_index_at_the_end_passes(media_set, tmp_path):
    path = tmp_path / "moov-last.mp4"
    ffmpeg("-i", str(media_set.mp4), "-c", "copy", str(path))  # no +faststart: moov last

    assert check_mp4(path) == pytest.approx(media_set.duration, abs=0.1)


def test_a_file_cut_short_is_cut_off(media_set):
    with pytest.raises(MediaVerificationError, match="cut off: its mdat box announces"):
        check_mp4(media_set.truncated_mp4)


def test_a_file_cut_before_its_index_lacks_it(media_set, tmp_path):
    path = tmp_path / "moov-last.mp4"
    ffmpeg("-i", str(media_set.mp4), "-c", "copy", str(path))
    data = path.read_bytes()
    moov = data.index(b"moov") - 4
    (tmp_path / "cut.mp4").write_bytes(data[:moov])

    with pytest.raises(MediaVerificationError, match="lacks its moov"):
        check_mp4(tmp_path / "cut.mp4")


def test_chunks_beyond_the_end_of_the_file_are_cut_off(media_set, tmp_path):
    """The top-level boxes add up (the mdat's size was rewritten), but the index
    points past the end: the hoster shortened the file and patched its size."""
    data = bytearray(media_set.mp4.read_bytes())
    mdat = data.index(b"mdat") - 4
    keep = mdat + 8 + 1000
    data[mdat : mdat + 4] = (keep - mdat).to_bytes(4, "big")
    path = tmp_path / "short.mp4"
    path.write_bytes(bytes(data[:keep]))

    with pytest.raises(MediaVerificationError, match="beyond its"):
        check_mp4(path)


def test_sound_alone_is_no_video(tmp_path):
    path = tmp_path / "sound.mp4"
    ffmpeg("-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", str(path))

    with pytest.raises(MediaVerificationError, match="no video stream"):
        check_mp4(path)


def test_a_damaged_index_is_refused(media_set, tmp_path):
    data = bytearray(media_set.mp4.read_bytes())
    trak = data.index(b"trak") - 4
    data[trak : trak + 4] = (10**6).to_bytes(4, "big")  # a track larger than its moov
    path = tmp_path / "damaged.mp4"
    path.write_bytes(bytes(data))

    with pytest.raises(MediaVerificationError, match="damaged"):
        check_mp4(path)
