"""The admin queues series and episodes: actions downloads adds to the library's admin."""

import pytest

from downloads.models import DownloadItem, QueueState, Status
from library.models import Episode
from tests.factories import make_episode, make_item, make_series

pytestmark = pytest.mark.django_db


@pytest.fixture
def frieren():
    QueueState.objects.update_or_create(id=1, defaults={"is_running": False})
    series = make_series("frieren", "Frieren", folder="Frieren (2023)", year=2023)
    for number in range(1, 5):
        make_episode(series, 1, number, url=f"http://x/{number}")
    make_episode(series, 1, 5, language_mask=0, url="http://x/5")  # announced only
    return series


def test_the_series_admin_queues_the_missing_episodes(owner_client, frieren):
    assert owner_client.get("/admin/library/series/").status_code == 200
    assert owner_client.get("/admin/downloads/downloaditem/").status_code == 200

    owner_client.post(
        "/admin/library/series/", {"action": "queue_missing", "_selected_action": [frieren.id]}
    )

    assert DownloadItem.objects.count() == 4


def test_the_episode_admin_queues_the_selected_episodes_the_sites_offer(owner_client, frieren):
    chosen = Episode.objects.filter(series=frieren, number__in=[2, 5]).values_list("id", flat=True)

    owner_client.post(
        "/admin/library/episode/", {"action": "queue_episodes", "_selected_action": list(chosen)}
    )

    assert [item.episode.number for item in DownloadItem.objects.all()] == [2]


def test_the_series_admin_still_rescans(owner_client, frieren):
    page = owner_client.get("/admin/library/series/").content.decode()
    assert 'value="rescan"' in page
    assert 'value="queue_missing"' in page


def test_the_queue_admin_retries_failed_items_like_the_queue_does(owner_client, frieren):
    first, second = Episode.objects.filter(series=frieren, number__in=[1, 2]).order_by("number")
    failed = make_item(first, status=Status.FAILED, error="VOE: 404")
    blocked = make_item(second, status=Status.FAILED, error="gone")
    make_item(second)  # queued again already

    response = owner_client.post(
        "/admin/downloads/downloaditem/",
        {"action": "retry", "_selected_action": [failed.id, blocked.id]},
        follow=True,
    )

    failed.refresh_from_db()
    assert (failed.status, failed.error, failed.retry_count) == (Status.PENDING, "", 1)
    blocked.refresh_from_db()
    assert (blocked.status, blocked.retry_count) == (Status.FAILED, 0)
    page = response.content.decode()
    assert "1 item(s) back in the queue." in page
    assert "This episode is already queued again." in page
