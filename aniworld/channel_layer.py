"""The embedded channel layer: channels-lite, made to fan out to many clients.

channels-lite keeps messages in a SQLite file shared by the processes of one
machine, which is what the default set-up needs (README, "Live progress:
channel layer choice"). Its delivery does not scale with the number of open
sockets, though: a group message becomes one row per member channel, each
checked against the capacity with its own COUNT query, and the receiving
process reads them back one row (two queries) at a time. With 200 clients an
event took over half a second to reach the last one, and the capacity check,
which counts the rows of the whole receiving process rather than of one
channel, dropped events for everybody once 100 were pending.

This subclass changes two things and keeps the rest (tables, expiry, routing):

- ``group_send`` writes one row per receiving *process*, naming the member
  channels of that process; the receiving process copies it to each of them;
- the receiving process takes every pending row of its prefix in one query
  and deletes them in a second one.

It also fixes the cleanup of dead processes: memberships of a process that
stopped reading (its rows expired undelivered) are removed.
"""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import timedelta
from typing import Any

from asgiref.sync import sync_to_async
from channels_lite.layers import ChannelEmpty
from channels_lite.layers.core import SQLiteChannelLayer
from channels_lite.models import Event, GroupMembership
from django.utils import timezone

# Marks a group row: the member channels of the receiving process it is for.
MEMBERS_KEY = "__aniworld_members__"
BATCH_SIZE = 500


class BatchedSQLiteChannelLayer(SQLiteChannelLayer):
    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        # Messages read from the database and not yet handed out, per polled name.
        self._taken: defaultdict[str, deque[tuple[str, dict[str, Any]]]] = defaultdict(deque)

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        members = await sync_to_async(self._members)(group)
        by_process: defaultdict[str, list[str]] = defaultdict(list)
        for channel in members:
            by_process[self.non_local_name(channel)].append(channel)
        if not by_process:
            return
        expires_at = timezone.now() + timedelta(seconds=self.expiry)
        rows = [
            Event(
                channel_name=name,
                data=self.serialize({**message, MEMBERS_KEY: channels}),
                expires_at=expires_at,
            )
            for name, channels in by_process.items()
        ]
        await self._execute_with_retry(lambda: Event.objects.abulk_create(rows))

    def _members(self, group: str) -> list[str]:
        return list(
            GroupMembership.objects.filter(
                group_name=group, expires_at__gte=timezone.now()
            ).values_list("channel_name", flat=True)
        )

    async def _receive_single_from_db(self, channel: str) -> tuple[str, dict[str, Any]]:
        """The next message for ``channel`` (a process prefix or a plain channel)."""
        taken = self._taken[channel]
        if not taken:
            for data in await sync_to_async(self._take_pending)(channel):
                message = self.deserialize(data)
                members = message.pop(MEMBERS_KEY, None)
                if members is None:
                    taken.append((self._extract_message_channel(message, channel), message))
                else:
                    # Consumers get their own top-level dict; nested data is shared, read-only.
                    taken.extend((member, dict(message)) for member in members)
        if not taken:
            raise ChannelEmpty()
        return taken.popleft()

    def _take_pending(self, channel: str) -> list[bytes]:
        # Only this process reads its prefix, so reading, then deleting what was
        # read, needs no transaction (which would take SQLite's write lock on every poll).
        rows = list(
            Event.objects.filter(
                channel_name=channel, delivered=False, expires_at__gte=timezone.now()
            )
            .order_by("id")
            .values_list("id", "data")[:BATCH_SIZE]
        )
        if rows:
            Event.objects.filter(id__in=[row_id for row_id, _ in rows]).delete()
        return [bytes(data) for _, data in rows]

    async def clean_expired(self) -> None:
        await sync_to_async(self._clean_expired)()

    def _clean_expired(self) -> None:
        now = timezone.now()
        stale = set(
            Event.objects.filter(expires_at__lt=now, delivered=False).values_list(
                "channel_name", flat=True
            )
        )
        for name in stale:
            # A process prefix ("specific.<id>!") stands for all of that process's channels.
            members = GroupMembership.objects.filter(
                **(
                    {"channel_name__startswith": name}
                    if name.endswith("!")
                    else {"channel_name": name}
                )
            )
            members.delete()
        Event.objects.filter(expires_at__lt=now).delete()
        GroupMembership.objects.filter(expires_at__lt=now).delete()
