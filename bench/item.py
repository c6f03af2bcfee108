"""Our whole download of one episode, as the worker runs it, for the download benchmarks.

``time_item`` times what a queue item does between ``started_at`` and
``completed_at`` for one hoster link: resolve the embed page with the real
extractor (VOE for HLS, Vidoza for an mp4), fetch, remux and verify
(``downloads.media.download_media``), and place the file into a library folder
(``downloads.placement.move_into_library``, the rename ``place_episode`` does). The
queue's own bookkeeping (a few SQL updates) is left out. It also measures the CPU time the item cost (user and
system time of this process and of the ffmpeg it ran), and the peak resident
memory the process gained meanwhile (VmHWM after resetting it through
/proc/self/clear_refs).

``time_command`` times a reference tool the same way, and ``print_report`` prints
both benchmarks' table: best and median wall and CPU time, the ratios, memory.

The embed page is a file the bench media server serves next to the media, so
the hoster page, the playlist and the segments come from the same local server.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import time
from pathlib import Path

import django
import imageio_ffmpeg

from tests.fakes.hosters import encode_voe_payload

ROOT = Path(__file__).resolve().parent.parent


def setup_django(scratch: Path, media_url: str) -> None:
    """Production settings on a scratch data dir; the local media server may be fetched."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aniworld.settings")
    os.environ["ANIWORLD_DATA_DIR"] = str(scratch / "data")
    os.environ["ANIWORLD_TEMP_DIR"] = str(scratch / "temp")
    os.environ["ANIWORLD_ALLOW_PRIVATE_HOSTS"] = media_url.removeprefix("http://")
    django.setup()


def write_embed_page(folder: Path, hoster: str, media_url: str) -> str:
    """An embed page for ``hoster`` pointing at ``media_url``; its file name."""
    if hoster == "VOE":
        payload = encode_voe_payload({"source": media_url, "title": "bench.mp4"})
        body = f'<html><body><script type="application/json">{json.dumps([payload])}</script>'
    else:
        body = f'<html><body><script>var p = {{sourcesCode: [{{src: "{media_url}"}}]}};</script>'
    name = f"embed-{hoster.lower()}.html"
    (folder / name).write_text(body + "</body></html>")
    return name


def time_item(hoster: str, embed_url: str, scratch: Path) -> dict[str, float]:
    # Imported here: these need Django set up, with the settings setup_django picks at run time.
    from downloads.hosters import get_extractor
    from downloads.media import download_media
    from downloads.placement import move_into_library

    temp = scratch / "temp"
    library = scratch / "library" / "Series (2026)" / "Season 01"
    library.mkdir(parents=True, exist_ok=True)
    target = library / "Series - S01E01 - Bench.mp4"
    reports: list[tuple[float, float]] = []
    os.sync()
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")  # peak RSS := current RSS
    before_kb = memory_kb("VmRSS")
    cpu_started = cpu_seconds()
    started = time.perf_counter()
    # The hoster's shared client, as in the worker (made once per process).
    source = get_extractor(hoster).extract(embed_url)
    path = download_media(
        source,
        temp,
        "bench",
        lambda progress: reports.append((time.perf_counter(), progress.percent)),
        lambda: False,
    )
    move_into_library(path, target)
    ended = time.perf_counter()
    cpu = cpu_seconds() - cpu_started
    peak_kb = memory_kb("VmHWM")
    size = target.stat().st_size
    target.unlink()
    assert reports
    assert reports[-1][1] == 100.0, reports[-1]
    return {
        "whole": ended - started,
        "cpu": cpu,
        "transfer": reports[-1][0] - started,
        "memory_mb": (peak_kb - before_kb) / 1024,
        "size": size,
    }


def ffmpeg(*args: str) -> None:
    """Run the bundled ffmpeg quietly (to make the benchmarks' media)."""
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-hide_banner", "-loglevel", "error"]
    subprocess.run([*command, *args], check=True)


def time_command(command: list[str], out: Path | None = None) -> dict[str, float]:
    """Wall and CPU time of ``command`` (a reference tool), after a ``sync``;
    ``out``, the file it wrote, is removed afterwards."""
    os.sync()
    cpu_started = cpu_seconds()
    started = time.perf_counter()
    subprocess.run(command, check=True)
    ended = time.perf_counter()
    cpu = cpu_seconds() - cpu_started
    if out is not None:
        out.unlink()
    return {"whole": ended - started, "cpu": cpu}


def cpu_seconds() -> float:
    """User and system time of this process and of its children that have exited
    (the media server runs until the benchmark ends, so it is not among them)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def print_report(
    heading: str,
    rows: dict[str, list[dict[str, float]]],
    reference: str,
    ours: list[dict[str, float]],
    *,
    size: int,
    target: float,
    memory_target_mb: float,
) -> int:
    """Best and median wall and CPU time of each row, ours against the row
    ``reference``; 0 when ours meets ``target`` (best wall time) and the memory
    target, else 1."""
    rows = {**rows, "our item (resolve … place)": ours}
    print(f"{heading}, {len(ours)} runs each   wall best  median   CPU best  median")
    for label, runs in rows.items():
        wall = [run["whole"] for run in runs]
        cpu = [run["cpu"] for run in runs]
        print(
            f"{label:32s}: {min(wall):6.2f} s {statistics.median(wall):6.2f} s   "
            f"{min(cpu):6.2f} s {statistics.median(cpu):6.2f} s  "
            f"({size / min(wall) / 1e6:4.0f} MB/s)"
        )
    ok = True
    for what in ("whole", "cpu"):
        theirs = [run[what] for run in rows[reference]]
        mine = [run[what] for run in ours]
        best = min(mine) / min(theirs)
        median = statistics.median(mine) / statistics.median(theirs)
        line = f"  item / {reference} ({'wall' if what == 'whole' else 'CPU'}) = "
        line += f"{best:5.2f} best, {median:5.2f} median"
        if what == "whole":
            ok = best <= target
            line += f"  (target ≤ {target})  {'ok' if ok else 'MISSED'}"
        print(line)
    memory = max(run["memory_mb"] for run in ours)
    memory_ok = memory < memory_target_mb
    print(
        f"peak memory growth during the item: {memory:.1f} MB  "
        f"(target < {memory_target_mb:.0f})  {'ok' if memory_ok else 'MISSED'}"
    )
    return 0 if ok and memory_ok else 1


def memory_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise LookupError(field)
