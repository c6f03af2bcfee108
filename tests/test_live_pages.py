"""The live pages in Chromium against `manage.py serve`: static/js/live.js at work.

Two Queue pages follow a download from the worker process (progress bar, toast,
the completed list) without polling while the socket is open; the Series page
flips the episode to "downloaded" when it completes; the Library page shows a
scan started elsewhere; a refresh of the queue keeps the keyboard focus; a page whose
socket drops polls until it has reconnected.
"""

from __future__ import annotations

import os
import re
import signal

import httpx
import pytest

from tests.processes import ServeProcess, command_line
from tests.test_live_stream import QUICK_INDEX

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.embedded]

PASSWORD = "Live-Pages-Test-9"
SERIES = "attack-on-titan"
# As live.js refreshes the queue when its status changes.
REFRESH_QUEUE = """() => htmx.ajax("GET", "/queue/", {
  source: "#queue", target: "#queue", swap: "outerHTML", event: new CustomEvent("live:refresh"),
})"""
# The polls live.js lets through (htmx's "every …" of a data-live-poll element: no
# triggering event), in window.livePolls; clicks and live.js's refreshes carry an event.
COUNT_POLLS = """
window.livePolls = [];
document.addEventListener("htmx:beforeRequest", (event) => {
  const { elt, requestConfig } = event.detail;
  if (!requestConfig.triggeringEvent && elt.matches("[data-live-poll]")) {
    window.livePolls.push(requestConfig.path);
  }
});
"""
MOVING = re.compile(r"^\s*[1-9][0-9]*\.[0-9] %")  # a progress label past 0 %


@pytest.fixture(scope="module")
def app(running_aniworld, running_hoster_world, tmp_path_factory):
    """One `serve` in the default set-up of `make run` for the module (each start costs
    seconds); tests queue different episodes. Each test asks for ``world``, which
    points the fake index at the fake hosters again."""
    directory = tmp_path_factory.mktemp("live-pages")
    library = directory / "library"
    library.mkdir()
    serve = ServeProcess(
        directory,
        env={
            "ANIME_DIRECTORY": str(library),
            "ANIWORLD_SITE_URL": running_aniworld.url,
            **QUICK_INDEX,
        },
    )
    for variable in ("REDIS_URL", "DATABASE_URL"):
        serve.env.pop(variable, None)
    serve.start()
    yield serve
    serve.stop(signal.SIGKILL)


@pytest.fixture(scope="module")
def owner(app) -> str:
    """The owner is set up; returns an access token."""
    assert httpx.post(f"{app.url}/api/auth/setup", json={"master_password": PASSWORD}).is_success
    return httpx.post(f"{app.url}/api/auth/login", json={"password": PASSWORD}).json()[
        "access_token"
    ]


@pytest.fixture(scope="module")
def api(app, owner):
    """An API client; the series is in the library with its episodes."""
    headers = {"Authorization": f"Bearer {owner}"}
    with httpx.Client(base_url=app.url, headers=headers, timeout=10) as client:
        assert client.post("/api/anime/", json={"key": SERIES, "site": "aniworld.to"}).is_success
        app.wait_until(
            lambda: client.get(f"/api/anime/{SERIES}").json()["state"] == "ready", 30, "ready"
        )
        yield client


@pytest.fixture(scope="module")
def signed_in(browser, app, owner) -> dict:
    """The cookies of one login through the login page (logins are rate-limited)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{app.url}/login/?next=/queue/")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{app.url}/queue/")
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def open_page(browser, app, signed_in):
    """``open_page(path)``: a signed-in browser window on ``path`` once the server has
    confirmed its rooms (events published from then on reach it), and the console
    errors it logs. The page counts its polls in ``window.livePolls``."""
    contexts = []

    def open_(path: str):
        context = browser.new_context(storage_state=signed_in)
        contexts.append(context)
        context.add_init_script(COUNT_POLLS)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(app.url + path)
        page.wait_for_selector("html[data-joined]")
        return page, errors

    yield open_
    for context in contexts:
        context.close()


def queue(api, episode):
    body = {"series_key": SERIES, "episodes": [{"season": 1, "episode": episode}]}
    assert api.post("/api/queue/add", json=body).status_code == 201


def test_two_queue_pages_follow_a_download_live_without_polling(open_page, world, hosters, api):
    # Its three segments (~65 kB) come in parallel: about 3 s at this pace each, time
    # enough to see the stage and the moving label on both pages before it is placed.
    hosters.slow_media(8_000)
    first, first_errors = open_page("/queue/")
    second, _ = open_page("/queue/")
    for page in (first, second):  # (a slow start may have polled before the socket opened)
        page.evaluate("window.livePolls = []")
    queue(api, 2)
    stage = first.locator("#active-item [data-progress-stage]", has_text="downloading from VOE")
    stage.wait_for(timeout=15_000)
    for page in (first, second):  # (wait_for_function would need 'unsafe-eval')
        label = page.locator("#active-item [data-progress-label]", has_text=MOVING)
        label.wait_for(timeout=15_000)
    first.locator(".toast", has_text="Downloaded Attack on Titan S01E02").wait_for(timeout=15_000)
    second.locator(".toast", has_text="Downloaded Attack on Titan S01E02").wait_for(timeout=5_000)
    completed = first.locator("[aria-labelledby=completed-title] li", has_text="S01E02")
    completed.wait_for(timeout=5_000)
    # Refreshes came from events (queue_status, started, completed), not from a poll every 2 s.
    for page in (first, second):
        assert page.evaluate("window.livePolls") == []
    assert first_errors == []


def test_the_series_page_flips_an_episode_to_downloaded(open_page, world, hosters, api):
    page, errors = open_page(f"/series/{SERIES}/")
    row = page.locator("#episode-1-1")
    assert "missing" in row.inner_text()
    queue(api, 1)
    row.locator(".badge-ok", has_text="downloaded").wait_for(timeout=20_000)
    page.locator(".toast", has_text="Downloaded Attack on Titan S01E01").wait_for(timeout=5_000)
    assert errors == []


def test_the_library_page_shows_a_scan_it_did_not_start(open_page, world, api):
    page, errors = open_page("/library/")
    assert "Scanning" not in page.locator("#scan-panel").inner_text()
    assert "Last scan" not in page.locator("#scan-panel").inner_text()
    assert api.post("/api/anime/rescan", json={}).status_code == 202  # e.g. the daily schedule
    page.locator("#scan-panel", has_text="Last scan").wait_for(timeout=15_000)
    assert "1 series" in page.locator("#scan-panel").inner_text()
    assert errors == []


def test_a_refresh_of_the_queue_leaves_the_keyboard_where_it_was(open_page, api):
    """Each control keeps its id across a refresh, and htmx focuses the element with the
    focused one's id after a swap: pressing ↓ (whose answer replaces the queue) and a
    live refresh both leave the focus on the same button."""
    assert api.post("/api/queue/stop").is_success
    body = {
        "series_key": SERIES,
        "episodes": [{"season": 0, "episode": 1}, {"season": 2, "episode": 1}],
    }
    added = api.post("/api/queue/add", json=body).json()
    assert added["skipped"] == []
    first, second = (item["id"] for item in added["added"])
    try:
        page, errors = open_page("/queue/")
        down = page.locator(f"#item-{first}-down")
        down.focus()
        page.keyboard.press("Enter")
        moved = f"[aria-labelledby=pending-title] tbody tr#item-{second}:first-child"
        page.locator(moved).wait_for(timeout=5_000)
        assert page.evaluate("document.activeElement.id") == f"item-{first}-down"

        page.evaluate("document.querySelector('#queue').dataset.before = 'refresh'")
        page.evaluate(REFRESH_QUEUE)
        page.wait_for_selector("#queue[data-before]", state="detached", timeout=5_000)
        assert page.evaluate("document.activeElement.id") == f"item-{first}-down"
        assert errors == []
    finally:
        for item_id in (first, second):
            api.delete(f"/api/queue/{item_id}")
        assert api.post("/api/queue/start").is_success


def test_without_the_socket_the_queue_page_polls_and_then_reconnects(open_page, app):
    page, _ = open_page("/queue/")
    page.evaluate("window.livePolls = []")  # (a slow start may have polled before it joined)
    web = next(pid for pid in app.children() if "daphne" in command_line(pid))
    # `serve` starts a new web process; paused, it cannot do so before the page has polled
    # (a new one can be up sooner than the 2 s between polls).
    os.kill(app.process.pid, signal.SIGSTOP)
    try:
        os.kill(web, signal.SIGKILL)
        page.wait_for_selector("html:not([data-live])", timeout=5_000)
        # (A request alone could be the refresh that the join's queue_status brought.)
        app.wait_until(lambda: page.evaluate("window.livePolls.length") > 0, 10, "the page polls")
    finally:
        os.kill(app.process.pid, signal.SIGCONT)
    page.wait_for_selector("html[data-joined]", timeout=20_000)
    page.evaluate("window.livePolls = []")
    page.wait_for_timeout(3_000)  # over a poll interval (2 s)
    # Live again: no more polling (the refresh the new join's queue_status brings is no poll).
    assert page.evaluate("window.livePolls") == []
