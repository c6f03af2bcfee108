"""Benchmark of an HLS episode: our whole item against ``ffmpeg -i <m3u8> -c copy``.

Makes an HLS stream of SEGMENTS one-second segments (a two-second clip from the
bundled ffmpeg, looped without re-encoding and cut with ``-f hls``) behind a
master playlist, serves it with a VOE embed page from a local HTTP server in a
process of its own (bench/media_server.py), and measures, taking turns, ROUNDS
times each, every run after a ``sync``:

- ``ffmpeg -i URL/master.m3u8 -c copy out.mp4``: what AniWorld-Downloader runs,
  one read of the stream into an mp4;
- our item (bench/item.py): resolve the VOE page, fetch the segments a few at a
  time into one ffmpeg remux that also verifies, place the mp4 into a library
  folder; and the peak memory it added.

Best and median are printed. Target: ours ≤ ffmpeg (ratio ≤ 1.0); memory < 50 MB.
``BENCH_LINK_MBPS`` caps the server like a real link:

    .venv/bin/python bench/download_hls.py
    BENCH_LINK_MBPS=100 .venv/bin/python bench/download_hls.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import imageio_ffmpeg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.item import (
    ffmpeg,
    print_report,
    setup_django,
    time_command,
    time_item,
    write_embed_page,
)
from bench.media_server import serve, stop

SEGMENTS = int(os.environ.get("BENCH_SEGMENTS") or 200)
ROUNDS = 5
TARGET = 1.0
MEMORY_TARGET_MB = 50.0


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


def time_ffmpeg(url: str, out: Path) -> dict[str, float]:
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-v", "error", "-i", url, "-c", "copy"]
    return time_command([*command, str(out)], out)


def main() -> int:
    link_mbps = float(os.environ.get("BENCH_LINK_MBPS") or 0)
    with tempfile.TemporaryDirectory(prefix="aniworld-bench-hls-") as scratch_name:
        scratch = Path(scratch_name)
        media = scratch / "media"
        media.mkdir()
        print(f"Making an HLS stream of {SEGMENTS} segments …", flush=True)
        size = make_stream(media)
        if link_mbps:
            print(f"The server sends at most {link_mbps:g} MB/s per request.", flush=True)
        server, base_url = serve(media, int(link_mbps * 1e6) or None)
        try:
            url = f"{base_url}/master.m3u8"
            setup_django(scratch, base_url)
            embed_url = f"{base_url}/{write_embed_page(media, 'VOE', url)}"
            out = scratch / "ffmpeg.mp4"
            time_ffmpeg(url, out)  # warm the page cache and the server
            time_item("VOE", embed_url, scratch)  # and our imports
            reference, ours = [], []
            for _ in range(ROUNDS):
                reference.append(time_ffmpeg(url, out))
                ours.append(time_item("VOE", embed_url, scratch))
        finally:
            stop(server)

    return print_report(
        f"stream: {SEGMENTS} segments, {size / 1e6:.0f} MB",
        {"ffmpeg -i m3u8 -c copy out.mp4": reference},
        "ffmpeg -i m3u8 -c copy out.mp4",
        ours,
        size=size,
        target=TARGET,
        memory_target_mb=MEMORY_TARGET_MB,
    )


if __name__ == "__main__":
    sys.exit(main())
