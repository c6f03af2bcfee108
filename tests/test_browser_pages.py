"""Every main page in Chromium as a Sonarr user meets it, with real content: the
Library, a Series page with season tabs, the Queue with one item downloading and others
waiting, failed (one behind a check only a person can pass) and finished, Wanted,
History, Settings, System and a browsable API page.

Each at 1440 and 375 px wide in the dark and the light theme: screenshots in
test-artifacts/browser-pages/, no console error (a blocked inline style is one), no
sideways scrolling on a phone, no serious or critical axe-core violation. Pages the
journey does not Tab through are also checked with the keyboard.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import BASE_DIR, ServeProcess
from tests.test_browser_journey import VIEWPORTS, Visit, axe  # noqa: F401 - axe is a fixture
from tests.test_live_stream import QUICK_INDEX, own_database

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PASSWORD = "Pages-Test-Pass-7"
ARTIFACTS = BASE_DIR / "test-artifacts" / "browser-pages"
SERIES = "attack-on-titan"
STYLED_BEFORE_REFRESH = """() => {
  document.querySelector("#queue").dataset.before = "refresh";
  document.querySelector("#queue-counts").style.fontWeight = "600";
}"""
# As live.js refreshes the queue when its status changes.
COUNT_LIVE_QUEUE_REFRESHES = """
window.liveQueueRefreshes = 0;
document.addEventListener("htmx:afterSettle", (event) => {
  if (event.detail.elt?.id === "queue" || event.target?.id === "queue") window.liveQueueRefreshes += 1;
});
"""
REFRESH_QUEUE = """() => htmx.ajax("GET", "/queue/", {
  source: "#queue", target: "#queue", swap: "outerHTML", event: new CustomEvent("live:refresh"),
})"""


@pytest.fixture(scope="module")
def app(running_aniworld, tmp_path_factory) -> Iterator[ServeProcess]:
    """A set-up installation with one series from the fake aniworld.to, a stopped queue
    in every state and a few history events."""
    directory = tmp_path_factory.mktemp("pages")
    library = directory / "anime"
    env = {"ANIWORLD_SITE_URL": running_aniworld.url, **QUICK_INDEX}
    with own_database(os.environ.get("DATABASE_URL")) as database:
        serve = ServeProcess(directory, env=env)
        for variable in ("DATABASE_URL", "ANIME_DIRECTORY", "TMDB_API_KEY"):
            serve.env.pop(variable, None)
        if database:
            serve.env["DATABASE_URL"] = database
        serve.start()
        try:
            serve.log_in(PASSWORD, anime_directory=str(library))
            assert serve.post("/api/queue/stop").json()["is_running"] is False
            added = serve.post("/api/anime/", json={"key": SERIES, "site": "aniworld.to"})
            assert added.status_code == 201, added.text
            subprocess.run(
                [sys.executable, "-m", "tests.page_states", SERIES],
                cwd=BASE_DIR, env=serve.env, check=True, timeout=60,
            )  # fmt: skip
            yield serve
        finally:
            serve.stop(signal.SIGKILL)


@pytest.fixture(scope="module")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture
def visit(browser, axe, artifacts, app) -> Iterator[Visit]:  # noqa: F811 - the fixture
    context = browser.new_context(viewport=VIEWPORTS["1440"], reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(app.url + "/login/")
    page.get_by_label("Master password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    yield Visit(page, axe, artifacts)
    page.screenshot(path=artifacts / "99-last-page.png", full_page=True, caret="initial")
    context.close()


def test_every_main_page_reads_well_at_both_widths_in_both_themes(visit, app):
    page = visit.page
    navigation = page.get_by_role("navigation", name="Primary")

    navigation.get_by_role("link", name="Library").click()
    page.wait_for_url("**/library/")
    page.locator(".cover-card", has_text="Attack on Titan").wait_for()
    visit.check("library", keyboard=False)

    page.locator(".cover-card", has_text="Attack on Titan").get_by_role("link").click()
    page.wait_for_url(f"**/series/{SERIES}/")
    tabs = page.get_by_role("tab")
    assert tabs.count() >= 2, "a season tab per season"
    visit.check("series", keyboard=False)
    tabs.nth(1).click()
    page.wait_for_url("**?season=*")
    visit.check("series-second-season", keyboard=False)

    # Joining the live stream brings a queue_status, which refreshes the queue once;
    # the checks wait for that swap, so it cannot land in the middle of the Tab walk.
    page.add_init_script(COUNT_LIVE_QUEUE_REFRESHES)
    navigation.get_by_role("link", name="Queue").click()
    page.wait_for_url("**/queue/")
    visit.live()
    page.wait_for_function("() => window.liveQueueRefreshes > 0")
    counts = page.locator("#queue-counts").inner_text()
    assert counts == "2 pending · 1 downloading · 2 failed · 2 finished", counts
    failure = page.locator("[aria-labelledby=failed-title] li", has_text="Every hoster failed")
    assert "Tried VOE, Vidoza, Doodstream" in failure.inner_text()
    assert not failure.get_by_text("timed out after 3 tries").is_visible()
    failure.get_by_text("Why each link failed").click()
    failure.get_by_text("Doodstream (German subtitles): timed out after 3 tries").wait_for()
    # A refresh of the queue (as a status change brings) keeps it open. An element
    # with a style attribute (set here through the CSSOM, as browser extensions and
    # scripts do) is not copied by htmx's settling, which the CSP would block.
    page.evaluate(STYLED_BEFORE_REFRESH)
    page.evaluate(REFRESH_QUEUE)
    page.wait_for_function("() => !document.querySelector('#queue').dataset.before")
    failure.get_by_text("timed out after 3 tries").wait_for(state="visible", timeout=3_000)
    done = page.locator("[aria-labelledby=completed-title] li", has_text="done")
    assert "350.0\xa0MB · took 3 min 4 s · via VOE · German dub" in done.inner_text()
    visit.check("queue")
    visit.resize(VIEWPORTS["375"])  # (the bar was once measured at its desktop size)
    bar = page.locator("#active-item progress").bounding_box()
    assert bar["height"] >= 16, f"a phone's progress bar is thick enough to see: {bar}"
    assert bar["width"] >= 300, f"a phone's progress bar takes the whole row: {bar}"
    visit.resize(VIEWPORTS["1440"])

    navigation.get_by_role("link", name="Wanted").click()
    page.wait_for_url("**/wanted/")
    visit.check("wanted")

    navigation.get_by_role("link", name="History").click()
    page.wait_for_url("**/history/")
    page.get_by_text("VOE (German dub): the embed page answered HTTP 404").wait_for()
    visit.check("history")

    navigation.get_by_role("link", name="Calendar").click()
    page.wait_for_url("**/calendar/")
    visit.check("calendar")

    navigation.get_by_role("link", name="Settings").click()
    page.wait_for_url("**/settings/")
    visit.check("settings", keyboard=False)

    navigation.get_by_role("link", name="System").click()
    page.wait_for_url("**/system/")
    visit.check("system", keyboard=False)

    page.goto(app.url + "/api/queue/status")
    page.get_by_text('"is_running": false').first.wait_for()
    visit.check("api-queue-status", keyboard=False)
