"""Queue and history states for the browser page tests, written into a running
``serve``'s database from a child process (``python -m tests.page_states``).

The series come from the fake index sites through the API; what only the worker
makes (a finished download, a failure with each hoster's reason, a check only a
person can pass) is written here, so the pages can be looked at in every state
without waiting for downloads.
"""

from __future__ import annotations

from datetime import timedelta

import django


def fill(series_key: str) -> None:
    from django.utils import timezone

    from downloads.failures import attempt_line, failure_message
    from downloads.models import DownloadItem, Priority, Status
    from history.models import Event, HistoryEvent
    from library.models import Episode

    episodes = list(
        Episode.objects.filter(series__key=series_key, season__gte=1).order_by("season", "number")
    )
    first, second, *rest = episodes
    now = timezone.now()

    def finished(episode, status, minutes_ago, took, **fields):
        done = now - timedelta(minutes=minutes_ago)
        return DownloadItem.objects.create(
            episode=episode,
            status=status,
            started_at=done - timedelta(seconds=took),
            completed_at=done,
            **fields,
        )

    path = f"{first.series.folder}/Season 01/{first.series.name} - S01E01 - {first.title}.mp4"
    Episode.objects.filter(id=first.id).update(
        is_downloaded=True, file_path=path, file_size=367_001_600, downloaded_language="german-dub"
    )
    finished(
        first, Status.COMPLETED, 12, 184,
        hoster="VOE", downloaded_language="german-dub", file_path=path, percent=100,
    )  # fmt: skip
    finished(second, Status.CANCELLED, 30, 5)
    finished(
        second, Status.FAILED, 3, 41,
        error=failure_message("Every hoster failed.", [
            attempt_line("VOE", "german-dub", "the embed page answered HTTP 404 (the video was removed)"),
            attempt_line("Vidoza", "german-dub", "no video source on the page; the site's layout may have changed"),
            attempt_line("Doodstream", "german-sub", "timed out after 3 tries"),
        ]),
    )  # fmt: skip
    finished(
        second, Status.FAILED, 1, 9,
        error_code="CHALLENGE",
        error=failure_message(
            "A check that only a person can pass (Turnstile, ALTCHA or a bot check) blocks 1 "
            "of the 1 links. Open one in your browser, pass the check, and paste the address "
            "of the video page on the Queue page.",
            [attempt_line("VOE", "german-dub", "asks for a browser check (ALTCHA)")],
        ),
        links=[{"hoster": "VOE", "language": "german-dub", "url": "http://127.0.0.1:9/r?t=a1"}],
    )  # fmt: skip
    film = Episode.objects.get(series__key=series_key, season=0, number=1)
    DownloadItem.objects.create(
        episode=film, status=Status.DOWNLOADING, started_at=now - timedelta(seconds=20),
        hoster="VOE", percent=42.5, downloaded_bytes=44_564_480, total_bytes=104_857_600,
        speed_bps=2_228_224, eta_seconds=27,
    )  # fmt: skip
    for position, episode in enumerate(rest, start=1):
        DownloadItem.objects.create(
            episode=episode,
            position=position,
            priority=Priority.HIGH if position == 1 else Priority.NORMAL,
        )
    facts = {"series_key": series_key, "series_name": first.series.name, "season": 1}
    HistoryEvent.objects.create(event=Event.GRABBED, episode=1, hoster="VOE", **facts)
    HistoryEvent.objects.create(
        event=Event.IMPORTED, episode=1, hoster="VOE", language="german-dub", file_path=path,
        **facts,
    )  # fmt: skip
    HistoryEvent.objects.create(
        event=Event.FAILED, episode=2, message=DownloadItem.objects.filter(
            status=Status.FAILED, error_code="").first().error, **facts,
    )  # fmt: skip


if __name__ == "__main__":
    import sys

    django.setup()
    fill(sys.argv[1])
