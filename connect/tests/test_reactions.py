"""What happens after a download, a failure, a deletion, new episodes and a health
problem: media servers told, notifications sent — against local fakes, through the
real worker (tasks run inline in tests)."""

import ast
import datetime as dt

import pytest
from django.utils import timezone
from django_q.models import Schedule
from django_q.scheduler import scheduler

from connect.models import TargetStatus
from connect.tests.conftest import jellyfin_entry, plex_entry
from downloads import signals as download_signals
from downloads.new_episodes import watch
from downloads.worker import DownloadWorker
from library import signals as library_signals
from library.models import Episode
from system import health
from tests.factories import make_item, queue_episode

pytestmark = [pytest.mark.django_db(transaction=True)]

AOT = "Attack on Titan (2013)"
NEW_DAY = dt.date(2026, 9, 12)
EPISODE_FILE = f"{AOT}/Season 01/Attack on Titan - S01E02 - An jenem Tag.mp4"


def retries() -> list[Schedule]:
    return list(Schedule.objects.filter(func__startswith="connect.tasks."))


def run_retry(schedule: Schedule) -> None:
    """Let the retry fall due and run django-q2's scheduler (its tasks run inline here)."""
    Schedule.objects.filter(id=schedule.id).update(
        next_run=timezone.now() - dt.timedelta(seconds=1)
    )
    scheduler()


def retry_args(schedule: Schedule) -> tuple:
    return ast.literal_eval(schedule.args)


def test_a_download_tells_jellyfin_and_plex_the_mapped_paths(
    api, series, library_root, jellyfin, plex, set_connect
):
    set_connect(
        media_servers=[jellyfin_entry(jellyfin, library_root), plex_entry(plex, library_root)]
    )

    item = queue_episode(api)

    assert item.status == "completed", item.error
    assert jellyfin.updates == [{"Path": f"/media/anime/{EPISODE_FILE}", "UpdateType": "Created"}]
    assert plex.refreshes == [("2", f"/data/anime/{AOT}")]
    statuses = {s.target: s for s in TargetStatus.objects.all()}
    assert statuses["media:Jelly"].ok
    assert statuses["media:Plex"].ok
    assert retries() == []


def test_a_failing_media_server_never_fails_the_download_and_is_tried_once_more(
    api, series, library_root, jellyfin, set_connect
):
    set_connect(media_servers=[jellyfin_entry(jellyfin, library_root)])
    jellyfin.fail_next(10)

    item = queue_episode(api)

    assert item.status == "completed", item.error
    assert (library_root / EPISODE_FILE).exists()
    status = TargetStatus.objects.get(target="media:Jelly")
    assert not status.ok
    assert "500" in status.message
    assert "tried again" in status.message
    [retry] = retries()

    jellyfin.reset()
    run_retry(retry)

    assert jellyfin.updates == [{"Path": f"/media/anime/{EPISODE_FILE}", "UpdateType": "Created"}]
    assert TargetStatus.objects.get(target="media:Jelly").ok


def test_a_second_failure_is_given_up_without_another_retry(
    api, series, library_root, jellyfin, set_connect
):
    set_connect(media_servers=[jellyfin_entry(jellyfin, library_root)])
    jellyfin.fail_next(100)
    queue_episode(api)
    [retry] = retries()

    run_retry(retry)

    assert retries() == []
    status = TargetStatus.objects.get(target="media:Jelly")
    assert not status.ok
    assert "tried again" not in status.message


def test_a_completed_download_is_announced_when_the_owner_asked_for_it(
    api, series, apprise_target, set_connect
):
    set_connect(notify_urls=[apprise_target.apprise_url], notify_on=["download_completed"])

    queue_episode(api)

    [message] = apprise_target.messages
    assert message["title"] == "Downloaded: Attack on Titan S01E02"
    assert "german-dub from VOE" in message["message"]
    assert message["type"] == "success"


def test_completed_downloads_are_not_announced_by_default(api, series, apprise_target, set_connect):
    set_connect(notify_urls=[apprise_target.apprise_url])

    queue_episode(api)

    assert apprise_target.messages == []


def test_a_failed_download_is_announced_with_each_hosters_reason(
    api, series, hosters, apprise_target, set_connect
):
    set_connect(notify_urls=[apprise_target.apprise_url])
    hosters.break_page("VOE")
    hosters.remove_page("Vidoza")

    item = queue_episode(api)

    assert item.status == "failed"
    [message] = apprise_target.messages
    assert message["title"] == "Download failed: Attack on Titan S01E02"
    assert "VOE (German dub)" in message["message"]
    assert "Vidoza (German dub)" in message["message"]
    assert message["type"] == "failure"


def test_a_failed_notification_is_retried_once_to_the_failing_url_only(
    api, series, hosters, apprise_target, set_connect
):
    set_connect(notify_urls=["nosuchservice://x", apprise_target.apprise_url])
    apprise_target.fail_next()
    hosters.break_page("VOE")
    hosters.remove_page("Vidoza")

    queue_episode(api)

    assert apprise_target.messages == []
    assert not TargetStatus.objects.get(target="notify").ok
    [retry] = retries()
    assert retry_args(retry)[-1] == [apprise_target.apprise_url]
    run_retry(retry)
    assert [m["title"] for m in apprise_target.messages] == [
        "Download failed: Attack on Titan S01E02"
    ]


def test_an_item_blocked_by_checks_asks_for_attention_instead(
    api, series, apprise_target, set_connect
):
    set_connect(notify_urls=[apprise_target.apprise_url])
    episode = Episode.objects.get(series__key="attack-on-titan", season=1, number=3)
    item = make_item(episode, status="failed", error="all blocked")
    item.error_code = "CHALLENGE"

    download_signals.download_failed.send_robust(
        sender=DownloadWorker, item=item, message="VOE (german-dub): asks for a browser check"
    )

    [message] = apprise_target.messages
    assert message["title"] == "Needs your help: Attack on Titan S01E03"
    assert "pass the check in your browser" in message["message"]
    assert message["type"] == "warning"


def test_deleting_a_series_with_its_files_tells_jellyfin(
    api, series, library_root, jellyfin, set_connect
):
    set_connect(media_servers=[jellyfin_entry(jellyfin, library_root)])

    response = api.delete("/api/anime/attack-on-titan?delete_files=true")

    assert response.status_code == 204
    assert jellyfin.updates == [{"Path": f"/media/anime/{AOT}", "UpdateType": "Deleted"}]


def test_deleting_a_series_but_keeping_its_files_tells_no_one(
    api, series, library_root, jellyfin, set_connect
):
    set_connect(media_servers=[jellyfin_entry(jellyfin, library_root)])

    api.delete("/api/anime/attack-on-titan")

    assert jellyfin.requests == []


def test_new_episodes_are_announced_in_one_message(api, series, apprise_target, set_connect):
    set_connect(notify_urls=[apprise_target.apprise_url])
    episodes = list(Episode.objects.filter(series__key="attack-on-titan", season=1, number__lte=2))

    library_signals.new_episodes_found.send_robust(sender=None, episodes=episodes)

    [message] = apprise_target.messages
    assert message["title"] == "2 new episodes queued"
    assert message["message"] == "Attack on Titan S01E01\nAttack on Titan S01E02"


def test_a_health_problem_is_announced_once_until_it_is_fixed(apprise_target, set_connect):
    set_connect(notify_urls=[apprise_target.apprise_url])
    bad = {"library": {"status": "error", "message": "library directory missing: /x"}}
    good = {"library": {"status": "ok", "message": "fine"}}

    health.announce_results(bad)
    health.announce_results(bad)
    assert [m["title"] for m in apprise_target.messages] == ["Health problem: Library folder"]
    assert apprise_target.messages[0]["message"] == "library directory missing: /x"

    health.announce_results(good)
    health.announce_results(bad)
    assert len(apprise_target.messages) == 2


def test_switched_off_events_send_nothing(apprise_target, set_connect):
    set_connect(notify_urls=[apprise_target.apprise_url], notify_on=["download_failed"])

    health.announce_results({"disk": {"status": "error", "message": "low"}})

    assert apprise_target.messages == []


def test_the_new_episode_watch_announces_what_it_queued(
    api, aniworld_site, sto_site, library_root, apprise_target, set_connect, monkeypatch
):
    set_connect(notify_urls=[apprise_target.apprise_url], notify_on=["new_episodes"])
    assert api.post("/api/queue/stop").status_code == 200
    api.post("/api/anime/", {"key": "hells-paradise", "site": "aniworld.to"}, format="json")
    monkeypatch.setattr(
        aniworld_site, "new_episode_rows", [("hells-paradise", 1, 2, "german-dub", NEW_DAY)]
    )

    result = watch()

    assert result.queued == ["hells-paradise S01E02 (german-dub)"]
    [message] = apprise_target.messages
    assert message["title"] == "1 new episode queued"
    assert message["message"].endswith("S01E02")
