"""downloads.queue called directly: adding (and what it skips), the claim, the state
machine, retry, cancel, order, priority, the snapshot and the restore at start.

The routes on top of it are tested in test_api_queue.py and test_queue_page.py. Here
the tests run inside one transaction, so nothing registered with ``on_commit`` runs
unless a test captures it: waking the worker and publishing the queue are asserted as
the callbacks a call leaves, not run.
"""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from aniworld import config
from aniworld.errors import Conflict, NotFound, ValidationFailed
from downloads import queue
from downloads.models import TRANSITIONS, DownloadItem, Priority, QueueState, Status
from library.languages import mask_of
from tests.factories import make_episode, make_item, make_season, make_series

pytestmark = pytest.mark.django_db

GERMAN_DUB = mask_of(["german-dub"])
ENGLISH_DUB = mask_of(["english-dub"])  # offered, but not in the default language order


@pytest.fixture
def frieren():
    """Four episodes of season 1, each offered in German dub."""
    series = make_series("frieren", "Frieren", folder="Frieren (2023)", year=2023)
    make_season(series, 1, range(1, 5))
    return series


def episode(series, number, season=1):
    return series.episodes.get(season=season, number=number)


def items(series, *numbers):
    """Pending items of these episodes, queued in this order."""
    return [make_item(episode(series, n), position=p) for p, n in enumerate(numbers, start=1)]


def statuses():
    return dict(DownloadItem.objects.values_list("id", "status"))


# -- add_episodes ----------------------------------------------------------------


def test_it_queues_episodes_in_the_order_given_after_what_is_already_queued(frieren):
    make_item(episode(frieren, 4), position=7)

    result = queue.add_episodes(frieren, [(1, 3), (1, 1)])

    assert [(i.episode.number, i.position) for i in result.added] == [(3, 8), (1, 9)]
    assert result.skipped == []
    assert all(i.status == Status.PENDING and i.upgrade is False for i in result.added)


def test_it_stores_the_priority_and_the_language_asked_for(frieren):
    [item] = queue.add_episodes(
        frieren, [(1, 1)], priority=Priority.HIGH, language="german-dub"
    ).added
    item.refresh_from_db()
    assert (item.priority, item.language) == (Priority.HIGH, "german-dub")


def test_an_episode_listed_twice_is_queued_once(frieren):
    result = queue.add_episodes(frieren, [(1, 2), (1, 2)])
    assert len(result.added) == 1
    assert result.skipped == []


def test_it_skips_episodes_already_queued(frieren):
    make_item(episode(frieren, 1))
    make_item(episode(frieren, 2), status=Status.DOWNLOADING)

    result = queue.add_episodes(frieren, [(1, 1), (1, 2), (1, 3)])

    assert [i.episode.number for i in result.added] == [3]
    assert result.skipped == [
        {"season": 1, "episode": 1, "reason": "already queued"},
        {"season": 1, "episode": 2, "reason": "already queued"},
    ]


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.FAILED, Status.CANCELLED])
def test_a_finished_item_does_not_stop_the_episode_from_being_queued_again(frieren, status):
    make_item(episode(frieren, 1), status=status)
    assert len(queue.add_episodes(frieren, [(1, 1)]).added) == 1


def test_it_says_why_it_skips_what_cannot_be_downloaded(frieren):
    make_episode(frieren, 2, 1, language_mask=0)
    make_episode(frieren, 2, 2, language_mask=ENGLISH_DUB)
    frieren.episodes.filter(season=1, number=3).update(
        is_downloaded=True, downloaded_language="german-dub"
    )

    result = queue.add_episodes(frieren, [(9, 9), (2, 1), (2, 2), (1, 3)])

    assert result.added == []
    assert result.skipped == [
        {"season": 9, "episode": 9, "reason": "no such episode"},
        {"season": 2, "episode": 1, "reason": "not released yet"},
        {"season": 2, "episode": 2, "reason": "not offered in a wanted language"},
        {"season": 1, "episode": 3, "reason": "already downloaded"},
    ]
    assert not DownloadItem.objects.exists()


def test_an_episode_on_disk_in_a_worse_language_is_queued_as_an_upgrade(frieren):
    make_episode(
        frieren, 2, 1, language_mask=mask_of(["german-dub", "german-sub"]),
        is_downloaded=True, downloaded_language="german-sub",
    )  # fmt: skip

    [item] = queue.add_episodes(frieren, [(2, 1)]).added

    assert item.upgrade is True
    assert item.language == ""  # the owner's order picks German dub when it runs


def test_an_episode_on_disk_in_the_best_language_is_not_an_upgrade(frieren):
    make_episode(
        frieren, 2, 1, language_mask=mask_of(["german-dub", "german-sub"]),
        is_downloaded=True, downloaded_language="german-dub",
    )  # fmt: skip
    result = queue.add_episodes(frieren, [(2, 1)])
    assert result.skipped == [{"season": 2, "episode": 1, "reason": "already downloaded"}]


def test_asking_for_another_language_than_the_one_on_disk_queues_an_upgrade(frieren):
    make_episode(
        frieren, 2, 1, language_mask=mask_of(["german-dub", "english-sub"]),
        is_downloaded=True, downloaded_language="german-dub",
    )  # fmt: skip

    [item] = queue.add_episodes(frieren, [(2, 1)], language="english-sub").added
    again = queue.add_episodes(frieren, [(2, 1)], language="german-dub")

    assert (item.upgrade, item.language) == (True, "english-sub")
    assert again.skipped == [{"season": 2, "episode": 1, "reason": "already queued"}]


def test_asking_for_the_language_already_on_disk_queues_nothing(frieren):
    make_episode(
        frieren, 2, 1, language_mask=mask_of(["german-dub", "german-sub"]),
        is_downloaded=True, downloaded_language="german-sub",
    )  # fmt: skip
    result = queue.add_episodes(frieren, [(2, 1)], language="german-sub")
    assert result.skipped == [{"season": 2, "episode": 1, "reason": "already downloaded"}]


def test_a_language_the_episode_lacks_is_not_offered(frieren):
    result = queue.add_episodes(frieren, [(1, 1)], language="english-dub")
    assert result.skipped == [
        {"season": 1, "episode": 1, "reason": "not offered in a wanted language"}
    ]


def test_an_unknown_language_is_refused_before_anything_is_queued(frieren):
    with pytest.raises(ValidationFailed) as refused:
        queue.add_episodes(frieren, [(1, 1)], language="klingon")
    assert "language" in refused.value.details
    assert not DownloadItem.objects.exists()


def test_the_owners_language_order_decides_what_is_wanted(frieren):
    config.store().update({"downloads": {"language_order": ["english-dub"]}})
    make_episode(frieren, 2, 1, language_mask=ENGLISH_DUB)

    result = queue.add_episodes(frieren, [(1, 1), (2, 1)])

    assert [i.episode.season for i in result.added] == [2]
    assert result.skipped == [
        {"season": 1, "episode": 1, "reason": "not offered in a wanted language"}
    ]


def test_adding_wakes_the_worker_and_publishes_the_queue(
    frieren, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        queue.add_episodes(frieren, [(1, 1)])
    assert callbacks == [queue.wake_worker, queue.publish_status]


def test_adding_without_wake_leaves_the_worker_asleep(frieren, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        queue.add_episodes(frieren, [(1, 1)], wake=False)
    assert callbacks == [queue.publish_status]


def test_adding_nothing_announces_nothing(frieren, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        queue.add_episodes(frieren, [(9, 9)])
    assert callbacks == []


def test_missing_codes_lists_wanted_episodes_not_on_disk_of_one_season_or_all(frieren):
    make_episode(frieren, 2, 1)
    make_episode(frieren, 2, 2, language_mask=ENGLISH_DUB)
    frieren.episodes.filter(season=1, number=2).update(is_downloaded=True)

    assert queue.missing_codes(frieren) == [(1, 1), (1, 3), (1, 4), (2, 1)]
    assert queue.missing_codes(frieren, season=2) == [(2, 1)]


# -- the state machine -----------------------------------------------------------


ALL_MOVES = [(start, to) for start in Status.values for to in Status.values if start != to]


@pytest.mark.parametrize(("start", "to"), ALL_MOVES)
def test_transition_makes_exactly_the_documented_moves(frieren, start, to):
    item = make_item(episode(frieren, 1), status=start)
    allowed = to in TRANSITIONS[start]

    assert queue.transition(item.id, to) is allowed
    item.refresh_from_db()
    assert item.status == (to if allowed else start)


def test_a_transition_under_a_claim_moves_only_the_item_still_held_by_that_claim(frieren):
    claimed_at = timezone.now()
    item = make_item(episode(frieren, 1), status=Status.DOWNLOADING, started_at=claimed_at)

    assert (
        queue.transition(item.id, Status.COMPLETED, claim=claimed_at - timedelta(seconds=1))
        is False
    )
    assert queue.transition(item.id, Status.COMPLETED, claim=claimed_at, percent=100) is True
    item.refresh_from_db()
    assert (item.status, item.percent) == (Status.COMPLETED, 100)


def test_a_claimed_transition_never_moves_an_item_that_is_not_downloading(frieren):
    claimed_at = timezone.now()
    item = make_item(episode(frieren, 1), status=Status.FAILED, started_at=claimed_at)
    assert queue.transition(item.id, Status.PENDING, claim=claimed_at) is False


def test_claimed_finds_the_item_only_while_its_claim_holds(frieren):
    item = make_item(episode(frieren, 1), status=Status.DOWNLOADING, started_at=timezone.now())

    assert list(queue.claimed(item)) == [item]
    DownloadItem.objects.filter(id=item.id).update(started_at=item.started_at + timedelta(1))
    assert not queue.claimed(item).exists()  # claimed again by another run
    DownloadItem.objects.filter(id=item.id).update(
        status=Status.PENDING, started_at=item.started_at
    )
    assert not queue.claimed(item).exists()  # returned to the queue


def test_a_refused_transition_names_the_status_it_found(frieren):
    item = make_item(episode(frieren, 1), status=Status.COMPLETED)
    with pytest.raises(queue.IllegalTransition) as refused:
        queue.require_transition(item, Status.PENDING)
    assert refused.value.details == {"id": item.id, "status": "completed", "to": "pending"}


def test_two_active_items_for_one_episode_are_impossible(frieren):
    make_item(episode(frieren, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        make_item(episode(frieren, 1), status=Status.DOWNLOADING)


# -- the claim -------------------------------------------------------------------


def test_the_claim_takes_the_highest_priority_then_the_lowest_position(frieren):
    items(frieren, 1, 2, 3)
    DownloadItem.objects.filter(episode__number=3).update(priority=Priority.HIGH)

    claimed = queue.claim_next()

    assert (claimed.episode.number, claimed.status) == (3, Status.DOWNLOADING)
    assert claimed.started_at is not None


def test_the_claim_starts_the_item_from_scratch(frieren):
    [item] = items(frieren, 1)
    DownloadItem.objects.filter(id=item.id).update(
        error="old", error_code="CHALLENGE", percent=50, downloaded_bytes=9, total_bytes=20,
        speed_bps=1.0, eta_seconds=3.0,
    )  # fmt: skip

    claimed = queue.claim_next()

    assert (claimed.error, claimed.error_code, claimed.percent) == ("", "", 0)
    assert (claimed.downloaded_bytes, claimed.total_bytes) == (0, None)
    assert (claimed.speed_bps, claimed.eta_seconds) == (None, None)


def test_nothing_is_claimed_while_one_item_downloads(frieren):
    items(frieren, 1, 2)
    assert queue.claim_next() is not None
    assert queue.claim_next() is None
    assert sorted(statuses().values()) == [Status.DOWNLOADING, Status.PENDING]


def test_nothing_is_claimed_while_the_queue_is_stopped(frieren):
    items(frieren, 1)
    queue.stop()
    assert queue.claim_next() is None
    queue.start()
    assert queue.claim_next() is not None


def test_an_empty_queue_claims_nothing(frieren):
    make_item(episode(frieren, 1), status=Status.FAILED)
    assert queue.claim_next() is None


def test_get_item_is_a_not_found_for_an_unknown_id():
    with pytest.raises(NotFound):
        queue.get_item(4711)


# -- start and stop --------------------------------------------------------------


def test_stop_and_start_are_remembered_and_published(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as stopping:
        queue.stop()
    assert QueueState.get().is_running is False
    with django_capture_on_commit_callbacks() as starting:
        queue.start()
    assert QueueState.get().is_running is True
    assert stopping == [queue.publish_status]
    assert starting == [queue.wake_worker, queue.publish_status]


# -- remove and cancel -----------------------------------------------------------


@pytest.mark.parametrize("status", [Status.PENDING, Status.DOWNLOADING, Status.FAILED])
def test_removing_an_unfinished_item_cancels_it(frieren, status):
    item = make_item(episode(frieren, 1), status=status)

    assert queue.remove(item) == "cancelled"

    item.refresh_from_db()
    assert item.status == Status.CANCELLED
    assert item.completed_at is not None


@pytest.mark.parametrize("status", [Status.COMPLETED, Status.CANCELLED])
def test_removing_a_finished_item_deletes_it(frieren, status):
    item = make_item(episode(frieren, 1), status=status)
    assert queue.remove(item) == "removed"
    assert not DownloadItem.objects.exists()


def test_cancel_all_pending_leaves_the_other_items_alone(frieren):
    pending = items(frieren, 1, 2)
    running = make_item(episode(frieren, 3), status=Status.DOWNLOADING)
    failed = make_item(episode(frieren, 4), status=Status.FAILED)

    assert queue.cancel_all_pending() == 2

    assert statuses() == {
        pending[0].id: Status.CANCELLED,
        pending[1].id: Status.CANCELLED,
        running.id: Status.DOWNLOADING,
        failed.id: Status.FAILED,
    }


def test_clear_finished_deletes_completed_and_cancelled_items_only(frieren):
    make_item(episode(frieren, 1), status=Status.COMPLETED)
    make_item(episode(frieren, 2), status=Status.CANCELLED)
    failed = make_item(episode(frieren, 3), status=Status.FAILED)
    [pending] = items(frieren, 4)

    assert queue.clear_finished() == 2

    assert statuses() == {failed.id: Status.FAILED, pending.id: Status.PENDING}


# -- retry -----------------------------------------------------------------------


def test_retry_queues_a_failed_item_again_at_the_end_and_counts_it(frieren):
    items(frieren, 1, 2)
    failed = make_item(
        episode(frieren, 3), status=Status.FAILED, error="boom", error_code="CHALLENGE",
        retry_count=1, position=1,
    )  # fmt: skip

    queue.retry(failed)

    failed.refresh_from_db()
    assert (failed.status, failed.error, failed.error_code) == (Status.PENDING, "", "")
    assert failed.retry_count == 2
    assert failed.position == 3


@pytest.mark.parametrize(
    "status", [Status.PENDING, Status.DOWNLOADING, Status.COMPLETED, Status.CANCELLED]
)
def test_only_a_failed_item_can_be_retried(frieren, status):
    item = make_item(episode(frieren, 1), status=status)
    with pytest.raises(queue.IllegalTransition):
        queue.retry(item)
    item.refresh_from_db()
    assert (item.status, item.retry_count) == (status, 0)


def test_a_failed_item_whose_episode_is_queued_again_cannot_be_retried(frieren):
    failed = make_item(episode(frieren, 1), status=Status.FAILED)
    queue.add_episodes(frieren, [(1, 1)])

    with pytest.raises(Conflict) as refused:
        queue.retry(failed)

    assert refused.value.code == "ALREADY_QUEUED"
    failed.refresh_from_db()
    assert failed.status == Status.FAILED


def test_retry_with_a_link_stores_the_page_the_owner_reached(frieren):
    failed = make_item(episode(frieren, 1), status=Status.FAILED, error_code="CHALLENGE")

    queue.retry_with_link(failed, "https://voe.example/e/abc", "VOE")

    failed.refresh_from_db()
    assert failed.status == Status.PENDING
    assert (failed.user_link_url, failed.user_link_hoster) == ("https://voe.example/e/abc", "VOE")


@pytest.mark.parametrize("status", [Status.PENDING, Status.DOWNLOADING])
def test_a_link_for_an_active_item_is_refused(frieren, status):
    item = make_item(episode(frieren, 1), status=status)
    with pytest.raises(Conflict) as refused:
        queue.retry_with_link(item, "https://voe.example/e/abc")
    assert refused.value.code == "ITEM_ACTIVE"
    item.refresh_from_db()
    assert item.user_link_url == ""


def test_retry_all_failed_skips_episodes_that_are_queued_again_and_retries_the_rest(frieren):
    queued_again = make_item(episode(frieren, 1), status=Status.FAILED)
    [requeued] = items(frieren, 1)
    failed = make_item(episode(frieren, 2), status=Status.FAILED)

    assert queue.retry_all_failed() == 1

    assert statuses() == {
        queued_again.id: Status.FAILED,
        requeued.id: Status.PENDING,
        failed.id: Status.PENDING,
    }


# -- order and priority ----------------------------------------------------------


def test_reorder_puts_the_named_items_first_and_keeps_the_rest_in_order(frieren):
    one, two, three, four = items(frieren, 1, 2, 3, 4)

    queue.reorder([four.id, two.id])

    positions = dict(DownloadItem.objects.values_list("id", "position"))
    assert positions == {four.id: 1, two.id: 2, one.id: 3, three.id: 4}


def test_reordering_an_item_that_is_not_pending_is_refused_and_changes_nothing(frieren):
    one, two = items(frieren, 1, 2)
    failed = make_item(episode(frieren, 3), status=Status.FAILED, position=9)

    with pytest.raises(ValidationFailed) as refused:
        queue.reorder([two.id, failed.id, 4711])

    assert refused.value.details == {"item_ids": [f"not pending: {[failed.id, 4711]}"]}
    positions = dict(DownloadItem.objects.values_list("id", "position"))
    assert positions == {one.id: 1, two.id: 2, failed.id: 9}


def test_move_swaps_a_pending_item_with_its_neighbour(frieren):
    one, two, three = items(frieren, 1, 2, 3)

    def order():
        return list(DownloadItem.objects.values_list("id", flat=True))

    assert queue.move(three, -1) is True
    assert order() == [one.id, three.id, two.id]
    assert queue.move(one, 1) is True
    assert order() == [three.id, one.id, two.id]


def test_move_stays_within_the_items_of_the_same_priority(frieren):
    first, second, third = items(frieren, 1, 2, 3)
    DownloadItem.objects.filter(id=first.id).update(priority=Priority.HIGH)

    assert queue.move(second, -1) is False  # the item above it is of another priority
    assert queue.move(third, 1) is False  # the last of all
    assert queue.move(first, -1) is False  # the first of all

    assert list(DownloadItem.objects.values_list("id", "position")) == [
        (first.id, 1),
        (second.id, 2),
        (third.id, 3),
    ]


def test_move_refuses_an_item_that_is_not_pending(frieren):
    [pending] = items(frieren, 1)
    running = make_item(episode(frieren, 2), status=Status.DOWNLOADING)

    with pytest.raises(queue.IllegalTransition) as refused:
        queue.move(running, -1)

    assert refused.value.details == {"id": running.id, "status": "downloading"}
    pending.refresh_from_db()
    assert pending.position == 1


def test_the_priority_of_a_pending_item_can_change(frieren):
    [item] = items(frieren, 1)
    queue.set_priority(item, Priority.LOW)
    item.refresh_from_db()
    assert item.priority == Priority.LOW


def test_the_priority_of_an_item_that_is_not_pending_stays(frieren):
    item = make_item(episode(frieren, 1), status=Status.DOWNLOADING)
    with pytest.raises(queue.IllegalTransition):
        queue.set_priority(item, Priority.HIGH)
    item.refresh_from_db()
    assert item.priority == Priority.NORMAL


# -- the restore at start --------------------------------------------------------


def test_the_restore_returns_interrupted_downloads_to_the_queue_without_their_progress(frieren):
    item = make_item(
        episode(frieren, 1), status=Status.DOWNLOADING, percent=40, downloaded_bytes=400,
        speed_bps=10.0, eta_seconds=60.0,
    )  # fmt: skip
    failed = make_item(episode(frieren, 2), status=Status.FAILED, percent=70)

    queue.restore_after_restart()

    item.refresh_from_db()
    assert (item.status, item.percent, item.downloaded_bytes) == (Status.PENDING, 0, 0)
    assert (item.speed_bps, item.eta_seconds) == (None, None)
    failed.refresh_from_db()
    assert (failed.status, failed.percent) == (Status.FAILED, 70)


def test_the_restore_wakes_the_worker_only_when_something_is_pending(
    frieren, django_capture_on_commit_callbacks
):
    make_item(episode(frieren, 1), status=Status.FAILED)
    with django_capture_on_commit_callbacks() as nothing_to_do:
        queue.restore_after_restart()
    make_item(episode(frieren, 2), status=Status.DOWNLOADING)
    with django_capture_on_commit_callbacks() as interrupted:
        queue.restore_after_restart()
    assert (nothing_to_do, interrupted) == ([], [queue.wake_worker])


# -- the snapshot ----------------------------------------------------------------


def test_the_snapshot_groups_the_items_in_the_order_each_group_is_shown(frieren):
    now = timezone.now()
    demoted, normal = items(frieren, 1, 2)
    DownloadItem.objects.filter(id=demoted.id).update(priority=Priority.LOW)
    make_episode(frieren, 2, 1)
    make_episode(frieren, 2, 2)
    make_episode(frieren, 2, 3)
    active = make_item(episode(frieren, 3), status=Status.DOWNLOADING)
    older = make_item(
        episode(frieren, 4), status=Status.COMPLETED, completed_at=now - timedelta(hours=1)
    )
    newer = make_item(episode(frieren, 1, season=2), status=Status.CANCELLED, completed_at=now)
    failed_early = make_item(
        episode(frieren, 2, season=2), status=Status.FAILED, completed_at=now - timedelta(hours=2)
    )
    failed_late = make_item(episode(frieren, 3, season=2), status=Status.FAILED, completed_at=now)
    queue.stop()

    snapshot = queue.snapshot()

    def ids(group):
        return [i["id"] for i in snapshot[group]]

    assert snapshot["is_running"] is False
    assert snapshot["active"]["id"] == active.id
    assert ids("pending") == [normal.id, demoted.id]
    assert ids("completed") == [newer.id, older.id]
    assert ids("failed") == [failed_late.id, failed_early.id]
    assert snapshot["stats"] == {
        "pending": 2,
        "downloading": 1,
        "completed": 1,
        "failed": 2,
        "cancelled": 1,
    }


def test_the_snapshot_of_an_empty_queue():
    assert queue.snapshot() == {
        "is_running": True,
        "active": None,
        "pending": [],
        "completed": [],
        "failed": [],
        "stats": {"pending": 0, "downloading": 0, "completed": 0, "failed": 0, "cancelled": 0},
    }
