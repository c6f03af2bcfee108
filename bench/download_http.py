"""Benchmark of a plain mp4 episode: our whole item against ``curl -o FILE``.

Makes a real mp4 of about SIZE bytes (a few seconds of noise from the bundled
ffmpeg, looped without re-encoding), serves it with a Vidoza embed page from a
local HTTP server in a process of its own (bench/media_server.py), and
measures, taking turns, ROUNDS times each, every run after a ``sync``:

- ``curl -s -o FILE URL`` into the folder our download writes to: what
  AniWorld-Downloader's plain fetch amounts to;
- ``curl -s -o /dev/null URL``: the floor for fetching those bytes (reference);
- our item (bench/item.py): resolve the Vidoza page, write the file once, check
  its boxes and header, place it into a library folder; and the peak memory
  it added.

Best and median are printed. Target: ours ≤ ``curl -o FILE``; memory < 50 MB.
``BENCH_LINK_MBPS`` caps the server like a real link:

    .venv/bin/python bench/download_http.py
    BENCH_LINK_MBPS=100 .venv/bin/python bench/download_http.py
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
from pathlib import Path

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

SIZE = int(float(os.environ.get("BENCH_MB") or 200) * 1000 * 1000)
ROUNDS = 5
TARGET = 1.0
MEMORY_TARGET_MB = 50.0


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


def time_curl(url: str, out: Path | None = None) -> dict[str, float]:
    return time_command(["curl", "-s", "-f", "-o", str(out or "/dev/null"), url], out)


def main() -> int:
    link_mbps = float(os.environ.get("BENCH_LINK_MBPS") or 0)
    with tempfile.TemporaryDirectory(prefix="aniworld-bench-http-") as scratch_name:
        scratch = Path(scratch_name)
        media = scratch / "media"
        media.mkdir()
        print(f"Making a {SIZE / 1e6:.0f} MB mp4 …", flush=True)
        video = make_video(media)
        size = video.stat().st_size
        if link_mbps:
            print(f"The server sends at most {link_mbps:g} MB/s, like a real link.", flush=True)
        server, base_url = serve(media, int(link_mbps * 1e6) or None)
        try:
            url = f"{base_url}/{video.name}"
            setup_django(scratch, base_url)
            embed_url = f"{base_url}/{write_embed_page(media, 'Vidoza', url)}"
            temp = scratch / "temp"
            temp.mkdir()
            time_curl(url)  # warm the page cache and the server
            time_item("Vidoza", embed_url, scratch)  # and our imports
            curl, curl_file, ours = [], [], []
            for _ in range(ROUNDS):
                curl.append(time_curl(url))
                curl_file.append(time_curl(url, temp / "curl.mp4"))
                ours.append(time_item("Vidoza", embed_url, scratch))
        finally:
            stop(server)
    assert all(run["size"] == size for run in ours)
    return print_report(
        f"file: {size / 1e6:.0f} MB",
        {"curl -o /dev/null (floor)": curl, "curl -o FILE": curl_file},
        "curl -o FILE",
        ours,
        size=size,
        target=TARGET,
        memory_target_mb=MEMORY_TARGET_MB,
    )


if __name__ == "__main__":
    sys.exit(main())
