"""Languages from the stream tags ffmpeg lists, for files whose names tell none."""

import pytest

from library.media_language import folder_language, language_of_streams, stream_languages

FFMPEG_OUTPUT = """Input #0, matroska,webm, from 'S01E01.mkv':
  Duration: 00:23:40.02, start: 0.000000, bitrate: 1200 kb/s
  Stream #0:0: Video: h264 (High), yuv420p(progressive), 1920x1080, 23.98 fps (default)
  Stream #0:1(jpn): Audio: aac (LC), 48000 Hz, stereo, fltp (default)
  Stream #0:2[0x3](ger): Subtitle: ass (default)
  Stream #0:3(eng): Subtitle: subrip
At least one output file must be specified
"""


def test_the_streams_languages_are_read_from_ffmpegs_listing():
    assert stream_languages(FFMPEG_OUTPUT) == (["jpn"], ["ger", "eng"])


@pytest.mark.parametrize(
    ("audio", "subtitles", "language"),
    [
        (["ger"], [], "german-dub"),
        (["jpn", "deu"], ["eng"], "german-dub"),
        (["eng"], [], "english-dub"),
        (["jpn"], ["ger", "eng"], "german-sub"),
        (["jpn"], ["eng"], "english-sub"),
        (["jpn"], [], None),
        ([""], ["ger"], None),
        ([], [], None),
    ],
)
def test_a_dub_comes_from_the_audio_and_subtitles_from_the_subtitle_streams(
    audio, subtitles, language
):
    assert language_of_streams(audio, subtitles) == language


def test_a_file_that_is_no_video_tells_no_language(tmp_path):
    path = tmp_path / "S01E01.mkv"
    path.write_bytes(b"not a video")
    assert folder_language([path]) is None
