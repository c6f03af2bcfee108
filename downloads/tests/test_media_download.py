import os
import re
import shutil
import time
from dataclasses import replace

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from downloads.hosters import MediaSource
from downloads.media import (
    DownloadCancelled,
    MediaDownloadError,
    MediaVerificationError,
    ProgressMeter,
    cleanup_temp,
    verify_media,
)
from tests.fakes.fixtures import allow_private
from tests.fakes.server import Reply

# The fake video lasts 3 s; remuxing may shift it by a frame or so.
DURATION = pytest.approx(3.0, abs=0.2)


def is_mp4(path):
    with path.open("rb") as handle:
        return handle.read(8)[4:] == b"ftyp"


def test_an_http_source_ends_up_as_a_playable_mp4(extract, download, tmp_path):
    path = download(extract("Vidoza"))

    assert path == tmp_path / "episode.mp4"
    assert is_mp4(path)
    assert verify_media(path) == DURATION
    assert os.listdir(tmp_path) == ["episode.mp4"]


def test_an_hls_source_is_remuxed_into_a_playable_mp4(extract, download, tmp_path, hosters):
    path = download(extract("VOE"))

    assert is_mp4(path)
    assert verify_media(path) == DURATION
    assert os.listdir(tmp_path) == ["episode.mp4"]
    # Fetched a few at a time in parallel: each once, in any order.
    assert sorted(r.path for r in hosters.media_requests("/voe/hls/seg")) == [
        "/voe/hls/seg000.ts",
        "/voe/hls/seg001.ts",
        "/voe/hls/seg002.ts",
    ]


def test_a_doodstream_file_downloads_with_its_referer(extract, download):
    assert verify_media(download(extract("Doodstream"))) == DURATION


def test_the_doodstream_file_is_refused_without_the_referer(extract, download, tmp_path):
    source = extract("Doodstream")
    headers = {k: v for k, v in source.headers.items() if k != "Referer"}

    with pytest.raises(MediaDownloadError) as info:
        download(replace(source, headers=headers))

    assert info.value.status_code == 403
    assert info.value.retryable is False
    assert os.listdir(tmp_path) == []


def test_a_vidmoly_stream_downloads_with_its_referer(extract, download, hosters):
    assert verify_media(download(extract("Vidmoly"))) == DURATION
    assert all(
        r.headers["referer"] == hosters.vidmoly.url + "/"
        for r in hosters.media_requests("/vidmoly/")
    )


def test_progress_reports_increasing_bytes_and_ends_at_100_percent(extract, download, hosters):
    reports = []
    # 10 kB every 0.1 s: the bytes arrive over several reads, as from a real hoster,
    # even when this process is held up between two of them
    hosters.slow_media(100_000)

    download(extract("Vidoza"), on_progress=reports.append)

    assert len(reports) >= 3
    sizes = [report.downloaded_bytes for report in reports]
    assert sizes == sorted(sizes)
    assert reports[-1].percent == 100.0
    assert reports[-1].downloaded_bytes == reports[-1].total_bytes > 50_000
    assert all(0.0 <= report.percent <= 100.0 for report in reports)


def test_hls_progress_has_an_estimated_total(extract, download, hosters):
    reports = []
    # Segments arrive over a few reads each, in parallel: about 1 s in all, several
    # progress intervals even on a busy machine.
    hosters.slow_media(25_000)

    download(extract("VOE"), on_progress=reports.append)

    assert any(report.total_bytes and 0 < report.percent < 100 for report in reports[:-1])
    sizes = [report.downloaded_bytes for report in reports]
    assert sizes == sorted(sizes)
    assert reports[-1].percent == 100.0


def test_the_percent_never_moves_back_when_an_estimated_total_grows():
    reports = []
    reporter = ProgressMeter(reports.append, should_stop=lambda: False, interval=0)

    reporter.update(50, 100)  # the first segments were small
    reporter.update(60, 200)  # a later one reports its size: the estimate doubles
    reporter.update(180, 200)

    assert [r.percent for r in reports] == [50.0, 50.0, 90.0]
    assert [r.total_bytes for r in reports] == [100, 200, 200]


def test_progress_is_reported_at_most_once_per_interval(extract, download):
    reports = []

    download(extract("Vidoza"), on_progress=reports.append, report_interval=60.0)

    assert len(reports) == 2  # the first block, then the final 100 %


@pytest.mark.parametrize("hoster", ["Vidoza", "VOE"])
def test_a_stop_request_cancels_and_removes_every_temp_file(
    extract, download, tmp_path, hosters, hoster
):
    reports = []
    source = extract(hoster)
    hosters.slow_media(100_000)  # several reads: the stop comes before the last

    with pytest.raises(DownloadCancelled):
        download(source, on_progress=reports.append, should_stop=lambda: bool(reports))

    assert len(reports) == 1
    assert os.listdir(tmp_path) == []


def test_a_stop_before_the_start_downloads_nothing(extract, download, tmp_path, hosters):
    source = extract("Vidoza")

    with pytest.raises(DownloadCancelled):
        download(source, should_stop=lambda: True)

    assert hosters.media_requests() == []
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("hoster", ["Vidoza", "VOE"])
def test_html_instead_of_video_is_a_verification_error_and_leaves_no_files(
    extract, download, tmp_path, hosters, hoster
):
    source = extract(hoster)
    hosters.serve_html_instead_of_video()

    with pytest.raises(MediaVerificationError, match="web page instead of a video"):
        download(source)

    assert os.listdir(tmp_path) == []


def test_a_web_page_instead_of_a_playlist_is_a_verification_error(serve, download, tmp_path):
    url = serve("<!DOCTYPE html><html><body>Video not found</body></html>")

    with pytest.raises(MediaVerificationError, match="web page instead of a playlist"):
        download(MediaSource(url, "hls"))

    assert os.listdir(tmp_path) == []


def test_a_truncated_file_is_a_verification_error(extract, download, tmp_path, hosters):
    source = extract("Vidoza")
    hosters.truncate_media()

    with pytest.raises(MediaVerificationError, match="cut off") as info:
        download(source)

    assert info.value.retryable is True
    assert os.listdir(tmp_path) == []


def test_a_connection_cut_mid_file_is_resumed(extract, download, hosters):
    source = extract("Vidoza")
    hosters.cut_media_once(after_bytes=20_000)

    path = download(source)

    assert verify_media(path) == DURATION
    first, resumed = hosters.media_requests("/vidoza/")
    assert "range" not in first.headers
    assert re.fullmatch(r"bytes=[1-9]\d*-", resumed.headers["range"])


def test_a_connection_cut_mid_segment_is_resumed(extract, download, hosters):
    source = extract("VOE")
    hosters.cut_media_once(after_bytes=10_000)

    assert verify_media(download(source)) == DURATION
    assert len(hosters.media_requests("/voe/hls/seg")) == 6  # each segment cut once


@pytest.mark.parametrize("hoster", ["Vidoza", "VOE"])
def test_a_missing_file_is_a_permanent_error(extract, download, tmp_path, hosters, hoster):
    source = extract(hoster)
    hosters.remove_media()

    with pytest.raises(MediaDownloadError, match="HTTP 404") as info:
        download(source)

    assert info.value.retryable is False
    assert info.value.status_code == 404
    assert os.listdir(tmp_path) == []


def test_a_failing_media_server_is_retried_and_then_retryable(extract, download, hosters):
    source = extract("Vidoza")
    hosters.fail_media()

    with pytest.raises(MediaDownloadError, match="HTTP 503") as info:
        download(source, retries=1)

    assert info.value.retryable is True
    assert len(hosters.media_requests("/vidoza/")) == 2


def test_an_unreachable_media_server_is_retryable(download, tmp_path, settings):
    settings.ANIWORLD_ALLOW_PRIVATE_HOSTS = ["127.0.0.1:9"]
    with pytest.raises(MediaDownloadError) as info:
        download(MediaSource("http://127.0.0.1:9/video.mp4", "http"), retries=0)

    assert info.value.retryable is True
    assert os.listdir(tmp_path) == []


def test_a_left_over_file_is_not_taken_for_the_download(extract, download, tmp_path):
    (tmp_path / "episode.mp4").write_bytes(b"stale bytes from an earlier run")

    assert verify_media(download(extract("Vidoza"))) == DURATION


def test_a_download_prints_nothing(extract, download, capfd):
    download(extract("VOE"))

    captured = capfd.readouterr()
    assert captured.out == ""
    assert captured.err == ""


def test_verify_media_reads_the_duration_of_a_good_file(media_set):
    assert verify_media(media_set.mp4) == pytest.approx(media_set.duration, abs=0.05)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"<!DOCTYPE html><html><body>Not found</body></html>", "web page"),
        (b"#EXTM3U\n#EXTINF:1,\nseg.ts\n", "playlist"),
        (bytes(range(256)) * 40, "cannot read"),
    ],
    ids=["empty", "html", "playlist", "garbage"],
)
def test_verify_media_rejects_what_is_not_a_video(tmp_path, content, message):
    path = tmp_path / "episode.mp4"
    path.write_bytes(content)

    with pytest.raises(MediaVerificationError, match=message):
        verify_media(path)


def test_verify_media_rejects_a_truncated_file(media_set, tmp_path):
    path = shutil.copy(media_set.truncated_mp4, tmp_path / "episode.mp4")

    with pytest.raises(MediaVerificationError, match="cut off"):
        verify_media(path)


def test_cleanup_removes_only_the_files_of_its_download(tmp_path):
    mine = ["ep [1].mp4", "ep [1].ts.part", "ep [1].ts.part-Frag2.part", "ep [1].remux.mp4"]
    others = ["ep [1]2.mp4", "other.mp4", "ep.mp4"]
    for name in mine + others:
        (tmp_path / name).write_bytes(b"x")

    cleanup_temp(tmp_path, "ep [1]")

    assert sorted(os.listdir(tmp_path)) == sorted(others)


def test_an_aes_128_encrypted_stream_is_decrypted(page_server, media_set, download, settings):
    key = bytes(range(16))
    segments = sorted(media_set.hls_dir.glob("seg*.ts"))
    lines = ["#EXTM3U", "#EXT-X-TARGETDURATION:1", '#EXT-X-KEY:METHOD=AES-128,URI="key.bin"']
    for sequence, segment in enumerate(segments):
        padder = padding.PKCS7(128).padder()
        plain = padder.update(segment.read_bytes()) + padder.finalize()
        iv = sequence.to_bytes(16, "big")  # no IV attribute: the media sequence number
        encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
        body = encryptor.update(plain) + encryptor.finalize()
        page_server.route(
            "GET", f"/aes/{segment.name}", lambda request, body=body: Reply(200, body)
        )
        lines += ["#EXTINF:1.0,", segment.name]
    page_server.route("GET", "/aes/key.bin", lambda request: Reply(200, key))
    playlist = "\n".join([*lines, "#EXT-X-ENDLIST", ""])
    page_server.route("GET", "/aes/index.m3u8", lambda request: Reply(200, playlist))
    allow_private(settings, page_server)

    path = download(MediaSource(f"{page_server.url}/aes/index.m3u8", "hls"))

    assert verify_media(path) == DURATION


def test_segments_arriving_out_of_order_are_remuxed_in_order(extract, download, hosters):
    """The first segment is the slowest: the later ones wait for it."""
    serve_media = hosters._media

    def media(request, content_type, file=None):
        if file is not None and file.name == "seg000.ts":
            time.sleep(0.3)
        return serve_media(request, content_type, file)

    hosters._media = media
    try:
        path = download(extract("VOE"))
    finally:
        del hosters._media

    assert verify_media(path) == DURATION


def test_retries_are_announced_with_what_failed(extract, download, hosters):
    source = extract("Vidoza")
    hosters.fail_media()
    stages = []

    with pytest.raises(MediaDownloadError):
        download(source, retries=2, on_stage=lambda stage, message: stages.append((stage, message)))

    host = hosters.cdn.url.removeprefix("http://")
    assert stages == [
        ("retrying", f"HTTP 503 from {host}; retrying the file (1/2) in 0 s"),
        ("retrying", f"HTTP 503 from {host}; retrying the file (2/2) in 0 s"),
    ]


def test_the_end_of_an_hls_download_is_announced_as_remuxing(extract, download):
    stages = []

    download(extract("VOE"), on_stage=lambda stage, message: stages.append(stage))

    assert stages == ["remuxing"]


def test_a_server_that_ignores_the_range_of_a_resume_is_read_from_the_start(
    download, hosters, media_set
):
    requests = []

    def no_ranges(request):
        requests.append(request.headers.get("range"))
        if len(requests) == 1:
            return Reply(file=media_set.mp4, content_type="video/mp4", cut_after=20_000)
        return Reply(200, media_set.mp4.read_bytes(), content_type="video/mp4")

    hosters.cdn.route("GET", "/no-ranges/video.mp4", no_ranges)

    path = download(MediaSource(f"{hosters.cdn.url}/no-ranges/video.mp4", "http"))

    assert requests[0] is None
    assert requests[1].startswith("bytes=")
    assert path.read_bytes() == media_set.mp4.read_bytes()
