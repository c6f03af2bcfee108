"""Benchmark of a plain HTTP media download against ``curl``.

Makes a real mp4 of about 500 MB (a few seconds of noise from the bundled
ffmpeg, looped without re-encoding), serves it from a local HTTP server with
Range support in a process of its own (bench/media_server.py), and measures:

- ``curl -s -o /dev/null URL``: the floor for fetching those bytes;
- for reference, ``curl -s -o FILE URL`` into the folder our download writes to:
  what storing the bytes adds on this machine;
- ``downloads.media.download_media`` on the same URL: the transfer alone (from
  the call to its 100 % progress report) and the whole call, which also checks
  with ffmpeg that the file plays to its end;
- the peak resident memory the process gained while downloading (VmHWM after
  resetting it through /proc/self/clear_refs).

The tools take turns, ROUNDS times, each run starting after a ``sync`` so that
none pays for the writes of another; the best run counts (the least disturbed
by the rest of the machine) and the median is printed next to it.

Targets: the whole call ≤ 1.15 x ``curl -o /dev/null``; memory growth under 50 MB.
Over loopback curl reaches GB/s, where Python's writes dominate; ``BENCH_LINK_MBPS``
caps the server like a real link, to compare where downloads actually run:

    .venv/bin/python bench/download_http.py
    BENCH_LINK_MBPS=100 .venv/bin/python bench/download_http.py
"""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.media_server import serve, stop

SIZE = 500 * 1000 * 1000
ROUNDS = 5
TIME_TARGET = 1.15
MEMORY_TARGET_MB = 50.0


def ffmpeg(*args: str) -> None:
    import imageio_ffmpeg

    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error"]
    subprocess.run([*command, *args], check=True)


def make_video(folder: Path) -> Path:
    """A playable mp4 (picture and sound) of at least SIZE bytes."""
    clip = folder / "clip.mp4"
    ffmpeg(
        "-f", "lavfi", "-i", "color=c=gray:s=1280x720:r=25,noise=alls=80:allf=t+u",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
        "-t", "2", "-c:v", "mpeg4", "-q:v", "2", "-g", "25", "-c:a", "aac", "-shortest",
        str(clip),
    )  # fmt: skip
    loops = math.ceil(SIZE / clip.stat().st_size) - 1
    video = folder / "episode.mp4"
    ffmpeg("-stream_loop", str(loops), "-i", str(clip), "-c", "copy", str(video))
    clip.unlink()
    return video


def memory_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)


def time_curl(url: str, out: Path | None = None) -> float:
    os.sync()
    started = time.perf_counter()
    subprocess.run(["curl", "-s", "-f", "-o", str(out or "/dev/null"), url], check=True)
    elapsed = time.perf_counter() - started
    if out is not None:
        out.unlink()
    return elapsed


def time_download(url: str, temp_dir: Path) -> dict[str, float]:
    """One download_media call: its timings, and the memory it added at its peak."""
    from downloads.hosters import MediaSource
    from downloads.media import cleanup_temp, download_media

    reports: list[tuple[float, float]] = []  # (time, percent)

    def on_progress(progress) -> None:
        reports.append((time.perf_counter(), progress.percent))

    os.sync()
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")  # peak RSS := current RSS
    before_kb = memory_kb("VmRSS")
    started = time.perf_counter()
    path = download_media(
        MediaSource(url, "http", {}), temp_dir, "bench", on_progress, lambda: False
    )
    ended = time.perf_counter()
    peak_kb = memory_kb("VmHWM")
    size = path.stat().st_size
    cleanup_temp(temp_dir, "bench")
    assert reports
    assert reports[-1][1] == 100.0, reports[-1]
    return {
        "transfer": reports[-1][0] - started,
        "first_report_to_100": reports[-1][0] - reports[0][0],
        "whole": ended - started,
        "memory_mb": (peak_kb - before_kb) / 1024,
        "size": size,
    }


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="aniworld-bench-http-") as scratch:
        media = Path(scratch, "media")
        media.mkdir()
        print("Making a 500 MB mp4 …", flush=True)
        video = make_video(media)
        size = video.stat().st_size
        link_mbps = float(os.environ.get("BENCH_LINK_MBPS") or 0)
        if link_mbps:
            print(f"The server sends at most {link_mbps:g} MB/s, like a real link.", flush=True)
        server, base_url = serve(media, int(link_mbps * 1e6) or None)
        try:
            url = f"{base_url}/{video.name}"
            temp = Path(scratch, "temp")
            temp.mkdir()
            time_curl(url)  # warm the page cache and the server
            curl, curl_file, ours = [], [], []
            for _ in range(ROUNDS):
                curl.append(time_curl(url))
                curl_file.append(time_curl(url, temp / "curl.mp4"))
                ours.append(time_download(url, temp))
        finally:
            stop(server)
    assert all(run["size"] == size for run in ours)

    def figures(values: list[float]) -> tuple[float, float]:
        return min(values), statistics.median(values)

    rows = {
        "curl -o /dev/null": figures(curl),
        "curl -o FILE (reference)": figures(curl_file),
        "download_media transfer": figures([run["transfer"] for run in ours]),
        "  first report → 100 %": figures([run["first_report_to_100"] for run in ours]),
        "download_media whole call": figures([run["whole"] for run in ours]),
    }
    print(f"file: {size / 1e6:.0f} MB, {ROUNDS} runs each      best     median")
    for label, (best, median) in rows.items():
        print(f"{label:32s}: {best:6.2f} s {median:6.2f} s  ({size / best / 1e6:4.0f} MB/s)")
    ok = True
    for what, ours_label, reference_label, target in (
        ("transfer / curl", "download_media transfer", "curl -o /dev/null", None),
        ("whole / curl", "download_media whole call", "curl -o /dev/null", TIME_TARGET),
        ("transfer / curl -o FILE", "download_media transfer", "curl -o FILE (reference)", None),
        ("whole / curl -o FILE", "download_media whole call", "curl -o FILE (reference)", None),
    ):
        (best, median), (base_best, base_median) = rows[ours_label], rows[reference_label]
        verdict = "(reference)"
        if target is not None:
            met = best / base_best <= target
            ok = ok and met
            verdict = f"(target ≤ {target})  {'ok' if met else 'MISSED'}"
        print(
            f"{what:24s} = {best / base_best:5.2f} best, "
            f"{median / base_median:5.2f} median  {verdict}"
        )
    memory = max(run["memory_mb"] for run in ours)
    memory_ok = memory < MEMORY_TARGET_MB
    print(
        f"peak memory growth while downloading: {memory:.1f} MB  "
        f"(target < {MEMORY_TARGET_MB:.0f})  {'ok' if memory_ok else 'MISSED'}"
    )
    return 0 if ok and memory_ok else 1


if __name__ == "__main__":
    sys.exit(main())
