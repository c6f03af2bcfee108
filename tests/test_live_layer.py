"""The embedded channel layer (aniworld/channel_layer.py) on its own SQLite file.

The unit-test settings use the in-memory layer, so the checks run in a child
process with the production settings and a throw-away data dir.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

# Not from tests.processes: the child imports this module before Django is set up.
BASE_DIR = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.slow, pytest.mark.embedded]

GROUP = "room.downloads"


def test_the_embedded_layer_fans_out_in_batches_and_forgets_dead_processes(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")},
        "DJANGO_SETTINGS_MODULE": "aniworld.settings",
        "ANIWORLD_DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    result = subprocess.run(
        [sys.executable, "-c", "from tests.test_live_layer import run_checks; run_checks()"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def run_checks() -> None:
    """In the child process."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", database="channels", verbosity=0)
    asyncio.run(checks())
    print("ok")


async def checks() -> None:
    from channels.layers import get_channel_layer
    from channels_lite.models import Event, GroupMembership
    from django.utils import timezone

    from aniworld.channel_layer import BatchedSQLiteChannelLayer

    web = get_channel_layer()
    assert isinstance(web, BatchedSQLiteChannelLayer)
    worker = BatchedSQLiteChannelLayer(database="channels")  # another process: another prefix
    clients = [await web.new_channel() for _ in range(3)]
    for channel in clients:
        await web.group_add(GROUP, channel)

    # One row per receiving process, whatever the number of its clients.
    for number in range(5):
        await worker.group_send(GROUP, {"type": "room.event", "number": number})
    assert await Event.objects.acount() == 5

    # Every client gets every event, in order; the rows are gone once read.
    for channel in clients:
        received = [await asyncio.wait_for(web.receive(channel), 2) for _ in range(5)]
        assert [m["number"] for m in received] == list(range(5)), received
        assert all(set(m) == {"type", "number"} for m in received), received
    assert await Event.objects.acount() == 0

    # A message to one channel (the health check's round trip) still works.
    await worker.send(clients[0], {"type": "health.ping"})
    assert await asyncio.wait_for(web.receive(clients[0]), 2) == {"type": "health.ping"}

    # A process that stopped reading (its rows expired unread) loses its memberships.
    dead = "specific.0123456789abcdef!"
    await GroupMembership.objects.acreate(
        group_name=GROUP,
        channel_name=dead + "gone",
        expires_at=timezone.now() + timedelta(days=1),
    )
    await Event.objects.acreate(
        channel_name=dead, data=b"{}", expires_at=timezone.now() - timedelta(seconds=1)
    )
    await web.clean_expired()
    members = [m async for m in GroupMembership.objects.values_list("channel_name", flat=True)]
    assert sorted(members) == sorted(clients), members
    assert await Event.objects.acount() == 0
    await web.close()
