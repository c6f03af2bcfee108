"""Benchmark of the library list API: ``GET /api/anime/?page_size=100``.

Builds, in a throw-away data dir (the production settings on SQLite), a library of 10
series x 50 episodes, counts the SQL queries of one request, grows the library
to 2,000 series x 50 episodes (100,000 episodes) and counts them again, then
times the request through Django's test client, authenticated as the owner with
a JWT, as a client of the API would send it.

Targets: as many queries for 2,000 series as for 10 (a constant number), and a
median under 50 ms.

    .venv/bin/python bench/api_list.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import django
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERIES = 2_000
FEW_SERIES = 10
EPISODES = 50
REQUESTS = 50
WARM_UP = 5
URL = "/api/anime/?page_size=100"
MEDIAN_TARGET_MS = 50.0


def set_up_django(scratch: Path) -> None:
    os.environ["ANIWORLD_DATA_DIR"] = str(scratch / "data")
    os.environ["ANIWORLD_TEMP_DIR"] = str(scratch / "temp")
    os.environ["DJANGO_SETTINGS_MODULE"] = "aniworld.settings"
    os.environ.pop("DEBUG", None)
    for variable in ("DATABASE_URL", "REDIS_URL"):  # SQLite in the scratch dir, always
        os.environ.pop(variable, None)
    django.setup()
    call_command("migrate", verbosity=0)


def add_series(first: int, last: int) -> None:
    """Series ``first``..``last - 1``, each with 50 episodes in two seasons."""
    # The app's modules are imported after set_up_django(): they need its settings.
    from library.models import Episode, Series, SeriesState

    series = Series.objects.bulk_create(
        Series(
            key=f"series-{number}",
            name=f"Series {number:04d}",
            folder=f"Series {number:04d} (2013)",
            year=2013,
            state=SeriesState.READY,
            genres=["Action", "Drama"],
            cover_url=f"https://example.org/covers/{number}.jpg",
        )
        for number in range(first, last)
    )
    Episode.objects.bulk_create(
        (
            Episode(
                series=item,
                season=1 if number <= EPISODES // 2 else 2,
                number=number,
                title=f"Episode {number}",
                # German dub + sub, some only announced; a third on disk.
                language_mask=0 if number % 10 == 0 else 3,
                is_downloaded=number % 3 == 0,
            )
            for item in series
            for number in range(1, EPISODES + 1)
        ),
        batch_size=5_000,
    )


def owner_client():
    # After set_up_django(), as above: DRF reads the settings when imported.
    from rest_framework.test import APIClient
    from rest_framework_simplejwt.tokens import RefreshToken

    from accounts import owner

    owner.set_master_password("Correct-Horse-9")
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(owner.owner_user()).access_token}"
    )
    return client


def count_queries(client) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200, response.content[:500]
    return len(queries), [query["sql"] for query in queries.captured_queries]


def time_requests(client) -> list[float]:
    for _ in range(WARM_UP):
        client.get(URL)
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(URL)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    body = response.json()
    assert body["count"] == SERIES, body["count"]
    assert len(body["results"]) == 100
    return timings


def time_worst_ordering(client) -> float:
    """The best of 10 requests sorted by missing episodes: every series' counts are needed."""
    timings = []
    for _ in range(10):
        started = time.perf_counter()
        response = client.get(f"{URL}&ordering=-missing_count")
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    return min(timings)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="aniworld-bench-api-") as scratch:
        set_up_django(Path(scratch))
        client = owner_client()
        add_series(0, FEW_SERIES)
        few, _ = count_queries(client)
        print(f"Building {SERIES} series x {EPISODES} episodes …", flush=True)
        add_series(FEW_SERIES, SERIES)
        many, statements = count_queries(client)
        timings = time_requests(client)
        worst = time_worst_ordering(client)

        connections.close_all()

    timings_ms = sorted(timing * 1000 for timing in timings)
    median = statistics.median(timings_ms)
    p95 = timings_ms[round(0.95 * (len(timings_ms) - 1))]
    print(f"queries, {FEW_SERIES} series    : {few}")
    print(f"queries, {SERIES} series  : {many}")
    for statement in statements:
        print(f"  {statement[:150]}{' …' if len(statement) > 150 else ''}")
    print(
        f"{REQUESTS} requests: best {timings_ms[0]:.1f} ms, median {median:.1f} ms, p95 {p95:.1f} ms"
    )
    print(f"ordering=-missing_count: best {worst * 1000:.1f} ms  (reference)")
    constant = few == many
    fast = median < MEDIAN_TARGET_MS
    print(f"constant queries : {few} = {many}  {'ok' if constant else 'MISSED'}")
    print(
        f"median           : {median:.1f} ms  (target < {MEDIAN_TARGET_MS:.0f})  {'ok' if fast else 'MISSED'}"
    )
    return 0 if constant and fast else 1


if __name__ == "__main__":
    sys.exit(main())
