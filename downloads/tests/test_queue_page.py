"""The Queue page: one priority control per waiting row, finished rows that say when,
how big, how long and from where, failures readable at a glance, counts that agree, and
controls that keep their ids across refreshes (so the focus stays) and work without
JavaScript. Each control's own view is tested in ``downloads/tests/views/``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.urls import resolve
from django.utils import timezone

from downloads import queue
from downloads.failures import attempt_line, failure_message
from downloads.models import DownloadItem, Status
from downloads.views import FINISHED_SHOWN, duration_words
from library.models import Episode
from tests.factories import make_item, make_season, make_series

pytestmark = pytest.mark.django_db


@pytest.fixture
def frieren():
    series = make_series("frieren", "Frieren", folder="Frieren (2023)")
    make_season(series, 1, range(1, 7))
    return series


def item(series, number, status, **fields):
    episode = series.episodes.get(number=number)
    return make_item(episode, status=status, position=number, **fields)


@pytest.fixture
def busy_queue(frieren):
    """Two waiting, one failed, one done, one cancelled."""
    queue.stop()
    finished = timezone.now() - timedelta(minutes=5)
    pending = [item(frieren, n, Status.PENDING) for n in (1, 2)]
    failed = item(
        frieren, 3, Status.FAILED,
        started_at=finished - timedelta(seconds=42), completed_at=finished,
        error=failure_message("Every hoster failed.", [
            attempt_line("VOE", "german-dub", "HTTP 404 from the embed page"),
            attempt_line("Vidoza", "german-dub", "no video source on the page"),
        ]),
    )  # fmt: skip
    Episode.objects.filter(series=frieren, number=4).update(
        is_downloaded=True, file_path="Frieren (2023)/Season 01/E04.mp4", file_size=157_286_400
    )
    done = item(
        frieren, 4, Status.COMPLETED,
        started_at=finished - timedelta(minutes=3, seconds=5), completed_at=finished,
        hoster="VOE", downloaded_language="german-dub",
        file_path="Frieren (2023)/Season 01/E04.mp4",
    )  # fmt: skip
    cancelled = item(frieren, 5, Status.CANCELLED, completed_at=finished)
    return pending, failed, done, cancelled


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def text(element) -> str:
    return " ".join(element.get_text(" ").split())


def test_a_waiting_row_has_one_priority_control_that_sends_on_change(owner_client, busy_queue):
    pending, *_ = busy_queue
    row = soup(owner_client.get("/queue/")).find(id=f"item-{pending[0].id}")

    [select] = row.find_all("select")
    assert select["name"] == "priority"
    assert select.find(selected=True).text == "normal"
    form = select.find_parent("form")
    assert form["hx-trigger"] == "change"
    assert form["hx-post"] == form["action"] == f"/queue/{pending[0].id}/priority"
    # The only Set button is for browsers without JavaScript.
    assert [b.find_parent("noscript") is not None for b in form.find_all("button")] == [True]
    assert "normal" not in text(row).replace(text(select), "")


def controls(page: BeautifulSoup) -> list:
    """What the keyboard reaches in the queue (buttons, fields, links, scroll regions),
    but for what is inside an element a refresh keeps as it is (hx-preserve)."""
    focusable = page.find(id="queue").find_all(
        lambda e: (
            e.name in ("button", "select", "a", "summary")
            or (e.name == "input" and e.get("type") != "hidden")
            or e.has_attr("tabindex")
        )
    )
    return [e for e in focusable if e.find_parent(attrs={"hx-preserve": "true"}) is None]


@pytest.fixture
def every_control(busy_queue, frieren):
    """The busy queue with an item downloading and a failure that asks for a link."""
    failed = busy_queue[1]
    item(frieren, 6, Status.DOWNLOADING)
    DownloadItem.objects.filter(id=failed.id).update(error_code="CHALLENGE")
    return busy_queue


def test_every_control_has_an_id_of_its_own_that_a_refresh_keeps(owner_client, every_control):
    # htmx gives the focus back, after a swap, to the element with the focused one's id.
    page = soup(owner_client.get("/queue/"))
    refreshed = soup(owner_client.get("/queue/", HTTP_HX_REQUEST="true"))

    ids = [element.get("id") for element in controls(page)]
    assert None not in ids, [str(e)[:80] for e in controls(page) if not e.get("id")]
    assert len(ids) == len(set(ids)), "ids are unique"
    assert [element.get("id") for element in controls(refreshed)] == [
        element.get("id") for element in controls(page)
    ]
    pending, failed, *_ = every_control
    assert {f"item-{pending[0].id}-up", f"item-{pending[0].id}-cancel"} <= set(ids)
    assert {f"item-{failed.id}-retry", f"item-{failed.id}-link", "queue-run"} <= set(ids)


def test_every_button_posts_to_one_control_with_and_without_javascript(owner_client, every_control):
    page = soup(owner_client.get("/queue/"))

    buttons = page.find(id="queue").find_all("button")
    assert len(buttons) >= 10
    for button in buttons:
        form = button.find_parent("form")
        plain = button.get("formaction") or form.get("action")
        htmx = button.get("hx-post") or form.get("hx-post")
        assert plain, str(button)
        assert plain == htmx, str(button)
        assert resolve(plain).url_name.startswith("queue-"), plain
        assert form["method"] == "post"
        assert form.find("input", attrs={"name": "csrfmiddlewaretoken"}) is not None


def test_a_completed_row_says_when_how_big_how_long_and_from_where(owner_client, busy_queue):
    *_, done, _ = busy_queue
    row = soup(owner_client.get("/queue/")).find(id=f"item-{done.id}")
    facts = text(row.find(class_="queue-facts"))
    assert facts == "5 minutes ago · 150.0 MB · took 3 min 5 s · via VOE · German dub"
    assert row.find("time")["datetime"].startswith(str(done.completed_at.year))
    assert "Frieren (2023)/Season 01/E04.mp4" in text(row)


def test_a_failed_row_lists_the_hosters_tried_and_hides_the_reasons_in_details(
    owner_client, busy_queue
):
    _, failed, *_ = busy_queue
    row = soup(owner_client.get("/queue/")).find(id=f"item-{failed.id}")
    assert text(row.find(class_="field-error")) == "Every hoster failed."
    assert text(row.find(class_="queue-tried")) == "Tried VOE, Vidoza"
    assert "took 42 s" in text(row.find(class_="queue-facts"))
    details = row.find("details")
    assert text(details.summary) == "Why each link failed"
    assert [text(li) for li in details.find_all("li")] == [
        "VOE (German dub) : HTTP 404 from the embed page",
        "Vidoza (German dub) : no video source on the page",
    ]


def test_the_summary_and_the_sections_count_the_same_items(owner_client, busy_queue):
    page = soup(owner_client.get("/queue/"))
    counts = text(page.find(id="queue-counts"))
    assert counts == "2 pending · 0 downloading · 1 failed · 2 finished"
    assert text(page.find(id="pending-title")) == "Pending (2)"
    assert text(page.find(id="failed-title")) == "Failed (1)"
    assert text(page.find(id="completed-title")) == "Finished (2)"
    finished = page.find("section", attrs={"aria-labelledby": "completed-title"})
    assert "1 done · 1 cancelled" in text(finished)
    assert len(finished.select("li.queue-row")) == 2
    assert "plain-list" in finished.find("ul")["class"]


def test_an_empty_queue_says_what_to_do_next(owner_client, frieren):
    page = soup(owner_client.get("/queue/"))
    empty = page.find("section", attrs={"aria-labelledby": "pending-title"}).find(class_="empty")
    assert "Nothing is waiting to download." in text(empty)
    assert {a["href"] for a in empty.find_all("a")} == {"/wanted/", "/library/"}


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(0, "0 s"), (45, "45 s"), (200, "3 min 20 s"), (3900, "1 h 5 min"), (-5, "")],
)
def test_durations_read_as_words(seconds, words):
    start = timezone.now()
    assert duration_words(start, start + timedelta(seconds=seconds)) == words
    assert duration_words(None, start) == ""


def test_a_long_finished_list_shows_the_most_recent_and_says_so(owner_client, frieren):
    old = timezone.now() - timedelta(days=1)
    for minutes in range(FINISHED_SHOWN + 1):
        item(frieren, 1, Status.CANCELLED, completed_at=old + timedelta(minutes=minutes))

    page = soup(owner_client.get("/queue/"))

    finished = page.find("section", attrs={"aria-labelledby": "completed-title"})
    assert text(page.find(id="completed-title")) == f"Finished ({FINISHED_SHOWN + 1})"
    assert f"the {FINISHED_SHOWN} most recent are shown" in text(finished)
    assert len(finished.select("li.queue-row")) == FINISHED_SHOWN
