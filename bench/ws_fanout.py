"""Benchmark of the live stream's fan-out: one event, 200 WebSocket clients.

Starts the real app (``manage.py serve``: daphne + the worker cluster) on a
throw-away data dir, connects CLIENTS WebSocket clients to /ws/connect that all
join ``downloads``, then publishes EVENTS events from another process exactly as
the download worker does (``aniworld.progress.publish`` with the production
settings), one every INTERVAL seconds. For each event it measures the time from
the publish call to the moment the *last* client has it, and prints the median
and the 95th percentile, plus what one publish call costs the publishing process.

Runs in the embedded configuration (no Redis: channels-lite on its own SQLite
file) and, when Redis answers, with ``REDIS_URL`` (channels-redis).

    .venv/bin/python bench/ws_fanout.py [--clients 200] [--events 40] [--redis URL]

Targets: p95 < 250 ms embedded, < 100 ms with Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django
import httpx
import redis
import websockets

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from aniworld.progress import publish  # noqa: E402
from tests.processes import ServeProcess  # noqa: E402

CLIENTS = 200
EVENTS = 40
INTERVAL = 0.25  # the worker's progress throttle
TARGETS_MS = {"embedded": 250.0, "redis": 100.0}
PASSWORD = "Bench-Password-9"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def redis_reachable(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def post(url: str, body: dict) -> httpx.Response:
    """POST, waiting out the login rate limit (with Redis it is shared by consecutive runs)."""
    while True:
        response = httpx.post(url, json=body, timeout=10)
        if response.status_code != 429:
            response.raise_for_status()
            return response
        time.sleep(int(response.headers.get("Retry-After", "5")))


def access_token(app: ServeProcess) -> str:
    post(f"{app.url}/api/auth/setup", {"master_password": PASSWORD})
    return post(f"{app.url}/api/auth/login", {"password": PASSWORD}).json()["access_token"]


async def client(url: str, origin: str, ready: asyncio.Event, arrivals: dict[int, list[float]]):
    async with websockets.connect(url, origin=origin, max_queue=None) as socket:
        await socket.send(json.dumps({"action": "join", "data": {"room": "downloads"}}))
        while json.loads(await socket.recv())["type"] != "queue_status":
            pass
        ready.set()
        async for raw in socket:
            message = json.loads(raw)
            if message["type"] == "bench_event":
                arrivals.setdefault(message["data"]["seq"], []).append(time.time())
                if message["data"]["last"]:
                    return


def run_publisher(app: ServeProcess, events: int, interval: float) -> dict[int, float]:
    """Publish from a separate process; returns {seq: publish start time}, prints the cost."""
    result = subprocess.run(
        [sys.executable, __file__, "publish", "--events", str(events), "--interval", str(interval)],
        env=app.env,
        cwd=BASE_DIR,
        check=True,
        capture_output=True,
        text=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    costs = report["costs_ms"]
    print(
        f"  publish() in the publishing process: median {statistics.median(costs):.1f} ms, "
        f"p95 {percentile(costs, 0.95):.1f} ms"
    )
    return {int(seq): sent for seq, sent in report["sent"].items()}


async def measure(
    app: ServeProcess, clients: int, events: int, interval: float
) -> tuple[list[float], list[float]]:
    """Per event: milliseconds from publish to the first and to the last client."""
    token = access_token(app)
    url = f"ws://127.0.0.1:{app.port}/ws/connect?token={token}"
    arrivals: dict[int, list[float]] = {}
    readies = [asyncio.Event() for _ in range(clients)]
    tasks = []
    for ready in readies:  # connect in small steps: a burst of 200 handshakes is another test
        tasks.append(asyncio.create_task(client(url, app.url, ready, arrivals)))
        await asyncio.sleep(0.005)
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 60)
    sent = await asyncio.to_thread(run_publisher, app, events, interval)
    _, late = await asyncio.wait(tasks, timeout=10)  # a layer may also drop events
    for task in late:
        task.cancel()
    reached = {seq: len(arrivals.get(seq, [])) for seq in sent}
    if min(reached.values()) < clients:
        lost = sum(1 for count in reached.values() if count < clients)
        raise SystemExit(
            f"{lost} of {len(sent)} events did not reach every client "
            f"(the worst reached {min(reached.values())} of {clients})"
        )
    first, last = [], []
    for seq, started in sorted(sent.items()):
        times = arrivals[seq]
        first.append((min(times) - started) * 1000)
        last.append((max(times) - started) * 1000)
    return first, last


def bench(name: str, env: dict[str, str], args) -> float:
    with tempfile.TemporaryDirectory(prefix="aniworld-bench-") as tmp:
        app = ServeProcess(Path(tmp), env={"LOG_LEVEL": "WARNING", **env})
        for variable in ("REDIS_URL", "DATABASE_URL"):
            if variable not in env:
                app.env.pop(variable, None)
        app.start()
        try:
            first, latencies = asyncio.run(measure(app, args.clients, args.events, args.interval))
        finally:
            app.stop()
    p95 = percentile(latencies, 0.95)
    target = TARGETS_MS[name]
    print(
        f"{name}: publish → last of {args.clients} clients over {len(latencies)} events: "
        f"median {statistics.median(latencies):.0f} ms, p95 {p95:.0f} ms, "
        f"max {max(latencies):.0f} ms (target p95 < {target:.0f} ms: "
        f"{'met' if p95 < target else 'MISSED'}); to the first client: median "
        f"{statistics.median(first):.0f} ms"
    )
    return p95


def publish_main(events: int, interval: float) -> None:
    """The publishing side, in its own process with the production settings."""
    django.setup()

    publish("system", "bench_warmup", {})  # first use opens the layer's connections
    sent: dict[int, float] = {}
    costs = []
    for seq in range(events):
        started = time.time()
        publish("downloads", "bench_event", {"seq": seq, "last": seq == events - 1})
        costs.append((time.time() - started) * 1000)
        sent[seq] = started
        time.sleep(max(0.0, interval - (time.time() - started)))
    print(json.dumps({"sent": sent, "costs_ms": costs}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", nargs="?", choices=["run", "publish"], default="run")
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--interval", type=float, default=INTERVAL)
    parser.add_argument("--redis", default=os.environ.get("REDIS_URL") or DEFAULT_REDIS)
    parser.add_argument("--only", choices=["embedded", "redis"])
    args = parser.parse_args()
    if args.mode == "publish":
        publish_main(args.events, args.interval)
        return
    if args.only != "redis":
        bench("embedded", {}, args)
    if args.only != "embedded":
        if redis_reachable(args.redis):
            bench("redis", {"REDIS_URL": args.redis}, args)
        else:
            print(f"redis: skipped ({args.redis} does not answer)")


if __name__ == "__main__":
    main()
