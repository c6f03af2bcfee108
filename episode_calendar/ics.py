"""The calendar as iCalendar (RFC 5545): one all-day event per episode.

Written by hand: the few properties we use need only the escaping (backslash,
comma, semicolon, line breaks), CRLF line ends and lines folded at 75 octets.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from episode_calendar.agenda import AiringStatus, CalendarEntry

PRODUCT_ID = "-//Aniworld//Episode calendar//EN"
CALENDAR_NAME = "Aniworld"
MAX_LINE_OCTETS = 75


def escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into pieces of at most 75 octets, never inside a character."""
    pieces, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        # Continuation lines start with a space, which counts.
        if size + width > MAX_LINE_OCTETS:
            pieces.append(current)
            current, size = " ", 1
        current += char
        size += width
    pieces.append(current)
    return "\r\n".join(pieces)


def uid(entry: CalendarEntry) -> str:
    return f"aniworld-{entry.series_key}-{entry.code.lower()}@aniworld"


def summary(entry: CalendarEntry) -> str:
    text = f"{entry.series_name} - {entry.code}"
    return f"{text} - {entry.title}" if entry.title else text


def description(entry: CalendarEntry, status: AiringStatus) -> str:
    said = {
        AiringStatus.DOWNLOADED: "Downloaded.",
        AiringStatus.MISSING: "Aired, not downloaded yet.",
        AiringStatus.UPCOMING: "Not aired yet.",
    }[status]
    return f"{said}\n\n{entry.plot}" if entry.plot else said


def calendar(entries: Iterable[CalendarEntry], now: datetime, today: date) -> bytes:
    """The feed; ``now`` (UTC) stamps the events, ``today`` (local) says what has aired."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{CALENDAR_NAME}",
    ]
    for entry in entries:
        status = entry.status(today)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{escape(uid(entry))}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{entry.air_date:%Y%m%d}",
            f"DTEND;VALUE=DATE:{entry.air_date + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape(summary(entry))}",
            f"DESCRIPTION:{escape(description(entry, status))}",
            f"CATEGORIES:{escape(status.value)}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
