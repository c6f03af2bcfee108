"""Benchmark of an HLS download against the ``yt-dlp`` command line.

Makes an HLS stream of 200 one-second segments (a two-second clip from the
bundled ffmpeg, looped without re-encoding and cut with ``-f hls``) behind a
master playlist, serves it from a local HTTP server in a process of its own
(bench/media_server.py), and measures:

- ``yt-dlp -o OUT.mp4 URL/master.m3u8`` with its defaults, pointed at the same
  ffmpeg (``--ffmpeg-location``) so that it remuxes the stream into an mp4 as
  it does when installed with ffmpeg;
- for reference, ``yt-dlp --version``: the command line's start-up, which the
  app pays once, not per download;
- ``downloads.media.download_media(kind="hls")`` on the same URL: the transfer
  alone (from the call to its 100 % progress report) and the whole call, which
  also remuxes into an mp4 and checks that it plays to its end.

The two take turns, ROUNDS times, each run starting after a ``sync`` so that
neither pays for the writes of the other; the best run counts (the least
disturbed by the rest of the machine) and the median is printed next to it.

Target: the whole call ≤ 1.2 x the yt-dlp command line.

    .venv/bin/python bench/download_hls.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.download_http import ffmpeg
from bench.media_server import serve, stop

SEGMENTS = 200
ROUNDS = 5
TARGET = 1.2
YT_DLP = Path(sys.executable).with_name("yt-dlp")


def make_stream(folder: Path) -> int:
    """master.m3u8 → media.m3u8 → SEGMENTS one-second .ts segments; their total size."""
    clip = folder / "clip.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "color=c=gray:s=640x360:r=25,noise=alls=40:allf=t+u",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
        "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "4M",
        "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-c:a", "aac", "-shortest",
        str(clip),
    )  # fmt: skip
    ffmpeg(
        "-stream_loop", str(SEGMENTS // 2 - 1), "-i", str(clip), "-c", "copy",
        "-f", "hls", "-hls_time", "1", "-hls_list_size", "0",
        "-hls_segment_filename", str(folder / "seg%03d.ts"), str(folder / "media.m3u8"),
    )  # fmt: skip
    clip.unlink()
    segments = sorted(folder.glob("seg*.ts"))
    assert len(segments) == SEGMENTS, len(segments)
    (folder / "master.m3u8").write_text(
        "#EXTM3U\n"
        '#EXT-X-STREAM-INF:BANDWIDTH=6500000,RESOLUTION=640x360,CODECS="avc1.42c01e,mp4a.40.2"\n'
        "media.m3u8\n"
    )
    return sum(segment.stat().st_size for segment in segments)


def time_yt_dlp(url: str, out: Path) -> float:
    import imageio_ffmpeg

    command = [
        str(YT_DLP),
        "--ffmpeg-location",
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-o",
        str(out),
        url,
    ]
    os.sync()
    started = time.perf_counter()
    # Its output (progress lines, a warning that there is no ffprobe) goes to a pipe.
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode:
        sys.exit(f"yt-dlp failed:\n{result.stderr}")
    with out.open("rb") as handle:
        assert handle.read(8)[4:] == b"ftyp", "yt-dlp did not remux into an mp4"
    out.unlink()
    return elapsed


def time_yt_dlp_start() -> float:
    started = time.perf_counter()
    subprocess.run([str(YT_DLP), "--version"], check=True, capture_output=True)
    return time.perf_counter() - started


def time_download(url: str, temp_dir: Path) -> dict[str, float]:
    from downloads.hosters import MediaSource
    from downloads.media import cleanup_temp, download_media

    reports: list[tuple[float, float]] = []  # (time, percent)
    os.sync()
    started = time.perf_counter()
    path = download_media(
        MediaSource(url, "hls", {}),
        temp_dir,
        "bench",
        lambda progress: reports.append((time.perf_counter(), progress.percent)),
        lambda: False,
    )
    ended = time.perf_counter()
    assert path.stat().st_size > 0
    cleanup_temp(temp_dir, "bench")
    assert reports[-1][1] == 100.0, reports[-1]
    return {"transfer": reports[-1][0] - started, "whole": ended - started}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="aniworld-bench-hls-") as scratch:
        media = Path(scratch, "media")
        media.mkdir()
        print(f"Making an HLS stream of {SEGMENTS} segments …", flush=True)
        size = make_stream(media)
        server, base_url = serve(media)
        try:
            url = f"{base_url}/master.m3u8"
            out = Path(scratch, "yt-dlp.mp4")
            time_yt_dlp(url, out)  # warm the page cache, the server and yt-dlp's imports
            reference, ours = [], []
            for _ in range(ROUNDS):
                reference.append(time_yt_dlp(url, out))
                ours.append(time_download(url, Path(scratch, "temp")))
            start_up = min(time_yt_dlp_start() for _ in range(ROUNDS))
        finally:
            stop(server)

    reference_best, reference_median = min(reference), statistics.median(reference)
    print(f"stream: {SEGMENTS} segments, {size / 1e6:.0f} MB, {ROUNDS} runs each   best   median")
    print(f"yt-dlp command line               : {reference_best:6.2f} s {reference_median:6.2f} s")
    print(f"  of which start-up (--version)   : {start_up:6.2f} s  (best)")
    ok = True
    for key, label, target in (
        ("transfer", "download_media transfer", None),
        ("whole", "download_media whole call", TARGET),
    ):
        runs = [run[key] for run in ours]
        best, median = min(runs), statistics.median(runs)
        print(f"{label:34s}: {best:6.2f} s {median:6.2f} s")
        verdict = "(reference)"
        if target is not None:
            met = best / reference_best <= target
            ok = ok and met
            verdict = f"(target ≤ {target})  {'ok' if met else 'MISSED'}"
        print(
            f"  {key} / yt-dlp = {best / reference_best:5.2f} best, "
            f"{median / reference_median:5.2f} median  {verdict}"
        )
    best_whole = min(run["whole"] for run in ours)
    print(
        f"  whole / (yt-dlp - start-up) = {best_whole / (reference_best - start_up):5.2f} best"
        "  (reference)"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
