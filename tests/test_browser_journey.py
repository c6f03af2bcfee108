"""A person's first session with Aniworld, in Chromium, against `manage.py serve`.

Fresh app → setup (which logs in) → add a series found by searching the fake sites → its
missing episodes → download two → the queue shows live progress and completion →
the files in the library, named right and playable → the series page shows them
downloaded → a settings change that sticks → logout. Everything is done by clicking
and typing; the API and the disk are only read, to check what the pages claim.

Every page on the way is also met the way any visitor could meet it: screenshots at
1440 and 375 px wide in the dark and the light theme (test-artifacts/browser-journey/),
no console error, no sideways scrolling on a phone, no serious or critical axe-core
violation, and every control reachable with Tab, named, and showing where focus is.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from downloads.media import verify_media
from tests.browser import _unavailable as unavailable
from tests.processes import BASE_DIR, ServeProcess
from tests.test_live_stream import QUICK_INDEX, own_database

pytestmark = [pytest.mark.slow, pytest.mark.browser]

PASSWORD = "Journey-Test-Pass-7"
SERIES = "attack-on-titan"
SERIES_FOLDER = "Attack on Titan (2013)"
EPISODE_FILES = {
    1: "Season 01/Attack on Titan - S01E01 - Dir, in 2000 Jahren.mp4",
    2: "Season 01/Attack on Titan - S01E02 - An jenem Tag.mp4",
}
# Slow enough (~4 s an episode: its three ~22 kB segments come in parallel) that the
# queue page, live by then, shows the bar moving and both completions.
MEDIA_BYTES_PER_SECOND = 6_000
ARTIFACTS = BASE_DIR / "test-artifacts" / "browser-journey"
VIEWPORTS = {"1440": {"width": 1440, "height": 900}, "375": {"width": 375, "height": 740}}
THEMES = ("dark", "light")
MOVING = re.compile(r"^\s*[1-9][0-9]*\.[0-9] %")  # a progress label past 0 %

# What the Tab key should reach: every enabled, rendered control.
FOCUSABLE = (
    "a[href], button, input:not([type=hidden]), select, textarea, summary, "
    "[tabindex]:not([tabindex='-1']), [contenteditable='true']"
)
# Where focus is now: recorded in window.__tabbed so the end can compare.
FOCUS_NOW = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const seen = (window.__tabbed ||= []);
  // Tab also steps through the parts of one control (hours, minutes of a time input).
  const same = el === seen[seen.length - 1];
  const round = el === seen[0];
  const again = !same && !round && seen.includes(el);
  if (!seen.includes(el)) seen.push(el);
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    same,
    round,
    again,
    html: el.outerHTML.slice(0, 160),
    ring: el.matches(":focus-visible") && ((style.outlineStyle !== "none"
          && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== "none"),
    shown: box.width > 0 && box.height > 0,
  };
}"""
# The controls Tab should have reached but did not (a modal dialog keeps focus inside).
NOT_REACHED = """(selector) => {
  const scope = document.querySelector("dialog:modal") || document;
  const seen = window.__tabbed || [];
  const groups = new Set(seen.filter((el) => el.type === "radio").map((el) => el.name));
  delete window.__tabbed;
  return [...scope.querySelectorAll(selector)]
    .filter((el) => !el.disabled && !el.closest("[inert]")
            && el.checkVisibility({ visibilityProperty: true }))
    .filter((el) => !seen.includes(el) && !(el.type === "radio" && groups.has(el.name)))
    .map((el) => el.outerHTML.slice(0, 160));
}"""
READ_QUEUE = """() => [
  document.querySelector("#active-item [data-progress-label]")?.textContent ?? "",
  [...document.querySelectorAll(".toast")].map((toast) => toast.textContent),
]"""
# The document's width against the window's, and the outermost elements that stick out.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const clipped = (el) => {
    for (let up = el.parentElement; up; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") return up !== document.documentElement && up !== document.body;
    }
    return false;
  };
  const out = [...document.body.querySelectorAll("*")].filter(
    (el) => el.getBoundingClientRect().right > width + 0.5 && !clipped(el));
  const outermost = out.filter((el) => !out.includes(el.parentElement));
  return [document.documentElement.scrollWidth, width,
          outermost.slice(0, 5).map((el) => el.outerHTML.slice(0, 120))];
}"""
SET_THEME = """(theme) => {
  localStorage.setItem("aniworld-theme", theme);
  document.documentElement.dataset.theme = theme;
  document.activeElement?.blur();
}"""


@pytest.fixture(scope="module")
def app(
    running_aniworld, running_sto, running_hoster_world, tmp_path_factory
) -> Iterator[ServeProcess]:
    """A fresh installation, as `make run` starts it; on `make test-services` with this
    run's Redis and a database of its own. Both index sites are the local fakes."""
    directory = tmp_path_factory.mktemp("journey")
    env = {
        "ANIWORLD_SITE_URL": running_aniworld.url,
        "STO_SITE_URL": running_sto.url,
        **QUICK_INDEX,
    }
    with own_database(os.environ.get("DATABASE_URL")) as database:
        serve = ServeProcess(directory, env=env)
        # Set up through the page, not the environment.
        for variable in ("DATABASE_URL", "ANIME_DIRECTORY", "LOG_LEVEL", "TMDB_API_KEY"):
            serve.env.pop(variable, None)
        if database:
            serve.env["DATABASE_URL"] = database
        serve.start()
        try:
            yield serve
        finally:
            serve.stop(signal.SIGKILL)


@pytest.fixture(scope="module")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def axe():
    """axe-core, from the pinned package that bundles its script."""
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:
        unavailable("axe-playwright-python is missing (make test installs requirements-dev.txt)")
    return Axe()


class Visit:
    """One browser window with the checks every page on the journey must pass."""

    def __init__(self, page, axe, artifacts: Path):
        self.page = page
        self.axe = axe
        self.artifacts = artifacts
        self.console: list[str] = []
        self.steps = 0
        self.cdp = page.context.new_cdp_session(page)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console.append(f"uncaught {error}"))

    def _console(self, message) -> None:
        if message.type == "error":
            self.console.append(f"{message.text} ({message.location.get('url', '')})")

    def resize(self, viewport: dict) -> None:
        """The window at ``viewport``, once the page's layout has it too (the resize
        reaches the page a moment after Playwright returns)."""
        self.page.set_viewport_size(viewport)
        self.page.wait_for_function("width => window.innerWidth === width", arg=viewport["width"])

    def check(self, name: str, keyboard: bool = True) -> None:
        """Screenshots, layout, axe-core and the Tab key on the page as it is now."""
        self.steps += 1
        problems: list[str] = []
        for width, viewport in VIEWPORTS.items():
            self.resize(viewport)
            if keyboard:
                problems += [f"{width} px: {p}" for p in self.keyboard_problems()]
            scroll_width, inner_width, sticking_out = self.page.evaluate(OVERFLOW)
            if scroll_width > inner_width:
                problems.append(
                    f"{width} px: the page scrolls sideways ({scroll_width} px wide): "
                    + " | ".join(sticking_out)
                )
            for theme in THEMES:
                self.page.evaluate(SET_THEME, theme)
                self.page.screenshot(
                    path=self.artifacts / f"{self.steps:02d}-{name}-{width}-{theme}.png",
                    full_page=True,
                    animations="disabled",
                    # Hiding the caret leaves style="" on every input, which htmx's
                    # settling then copies, and the CSP reports.
                    caret="initial",
                )
                problems += [f"{width} px {theme}: {p}" for p in self.axe_problems()]
        self.resize(VIEWPORTS["1440"])
        self.page.evaluate(SET_THEME, "dark")
        problems += [f"console: {line}" for line in self.console]
        self.console.clear()
        assert not problems, f"{name} ({self.page.url}):\n" + "\n".join(problems)

    def shot(self, name: str) -> None:
        """A screenshot of a passing moment (live progress) without the slower checks."""
        self.steps += 1
        self.page.screenshot(
            path=self.artifacts / f"{self.steps:02d}-{name}-1440-dark.png", caret="initial"
        )

    def axe_problems(self) -> list[str]:
        results = self.axe.run(self.page).response
        return [
            f"axe {v['id']} ({v['impact']}): {v['help']}: "
            + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    def keyboard_problems(self) -> list[str]:
        """Tab round the page once: every control reached, named, with a focus ring."""
        problems = []
        for _ in range(300):
            self.page.keyboard.press("Tab")
            focused = self.page.evaluate(FOCUS_NOW)
            if focused is None or focused["same"]:
                continue
            if focused["round"]:
                break
            if focused["again"]:
                problems.append(f"Tab goes round in a loop at {focused['html']}")
                break
            role, name = self.accessible_name()
            if not name.strip():
                problems.append(f"no accessible name ({role}): {focused['html']}")
            if not focused["ring"]:
                problems.append(f"no visible focus ring: {focused['html']}")
            if not focused["shown"]:
                problems.append(f"focused but not shown: {focused['html']}")
        else:
            problems.append("Tab never came round to the first control again")
        problems += [
            f"not reachable with Tab: {html}" for html in self.page.evaluate(NOT_REACHED, FOCUSABLE)
        ]
        self.page.evaluate("() => document.activeElement?.blur()")
        return problems

    def accessible_name(self) -> tuple[str, str]:
        """Chromium's own role and accessible name of the focused element."""
        focused = self.cdp.send("Runtime.evaluate", {"expression": "document.activeElement"})
        object_id = focused["result"]["objectId"]
        try:
            tree = self.cdp.send(
                "Accessibility.getPartialAXTree", {"objectId": object_id, "fetchRelatives": False}
            )
        finally:
            self.cdp.send("Runtime.releaseObject", {"objectId": object_id})
        node = tree["nodes"][0]
        return node.get("role", {}).get("value", ""), node.get("name", {}).get("value", "")

    def live(self) -> None:
        """The page's live stream has joined its rooms (pages with live.js): events
        published from now on reach the page."""
        self.page.wait_for_selector("html[data-joined]", timeout=10_000)


@pytest.fixture
def visit(browser, axe, artifacts) -> Iterator[Visit]:
    context = browser.new_context(viewport=VIEWPORTS["1440"], reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield Visit(page, axe, artifacts)
    # Where the journey ended, or where a failure left it.
    page.screenshot(path=artifacts / "99-last-page.png", full_page=True, caret="initial")
    context.close()


def follow_downloads(page, toasts: set[str], timeout: float = 40) -> list[float]:
    """The percentages the active download's label shows, read without reloading the page
    until every toast in ``toasts`` has been seen (a toast leaves after a few seconds)."""
    readings: list[float] = []
    missing = set(toasts)
    deadline = time.monotonic() + timeout
    while missing and time.monotonic() < deadline:
        label, shown = page.evaluate(READ_QUEUE)
        missing -= {text for text in missing if any(text in toast for toast in shown)}
        found = re.match(r"\s*([0-9.]+) %", label)
        if found and (not readings or readings[-1] != float(found[1])):
            readings.append(float(found[1]))
        time.sleep(0.05)
    assert not missing, f"no toast {missing} within {timeout} s; saw {readings}"
    return readings


def library_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_person_sets_up_adds_a_series_downloads_two_episodes_and_logs_out(
    visit, app, world, hosters, tmp_path
):
    page = visit.page
    navigation = page.get_by_role("navigation", name="Primary")
    library = tmp_path / "anime"

    # Fresh app: every page leads to the setup form.
    page.goto(app.url + "/")
    page.wait_for_url("**/setup/")
    visit.check("setup")
    page.get_by_label("Master password").fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_label("Library directory (optional)").fill(str(library))
    page.get_by_role("button", name="Set up").click()

    # Setting the password logs the person in: no second typing of it.
    page.wait_for_url("**/library/")
    visit.live()
    page.locator("#unmatched").get_by_text("Looking for folders").wait_for(state="detached")
    assert "Your library is empty" in page.locator("#series-list").inner_text()
    visit.check("library-empty")

    # The theme toggle switches, says so, and is remembered.
    page.evaluate("() => localStorage.removeItem('aniworld-theme')")
    toggle = page.get_by_role("button", name="Dark theme")
    before = page.evaluate("() => document.documentElement.dataset.theme")
    toggle.click()
    after = "light" if before == "dark" else "dark"
    assert page.evaluate("() => document.documentElement.dataset.theme") == after
    assert toggle.get_attribute("aria-pressed") == str(after == "dark").lower()
    assert page.evaluate("() => localStorage.getItem('aniworld-theme')") == after

    # Add a series found by name.
    page.get_by_role("button", name="Add series").first.click()
    dialog = page.get_by_role("dialog", name="Add a series")
    dialog.get_by_label("Name").fill("Titan")
    dialog.get_by_label("Name").press("Enter")
    add = dialog.get_by_role("button", name="Add Attack on Titan")
    add.wait_for()
    visit.check("add-series-dialog")
    add.click()

    page.wait_for_url(f"**/series/{SERIES}/")
    visit.live()
    for episode in EPISODE_FILES:
        page.locator(f"#episode-1-{episode}").get_by_text("missing").wait_for(timeout=20_000)
    assert "not out yet" in page.locator("#episode-1-3").inner_text()
    visit.check("series-missing")

    # Download two of them.
    hosters.slow_media(MEDIA_BYTES_PER_SECOND)
    page.get_by_label("Select episode 1", exact=True).check()
    page.get_by_label("Select episode 2", exact=True).check()
    page.get_by_role("button", name="Download selected").click()

    page.wait_for_url("**/queue/")
    visit.live()
    page.evaluate("() => { window.sameDocument = true; }")
    label = page.locator("#active-item [data-progress-label]")
    label.filter(has_text=MOVING).wait_for(timeout=20_000)
    visit.shot("queue-progress")
    readings = follow_downloads(
        page, {f"Downloaded Attack on Titan S01E0{episode}." for episode in EPISODE_FILES}
    )
    assert any(a < b < 100 for a, b in itertools.pairwise(readings)), readings
    done = page.locator("[aria-labelledby=completed-title] li")
    for episode in EPISODE_FILES:
        done.filter(has_text=f"S01E0{episode}").get_by_text("done").wait_for()
    assert "Nothing is downloading" in page.locator("#queue").inner_text()
    assert page.evaluate("() => window.sameDocument"), "the queue page reloaded"
    visit.check("queue-completed")

    # The files: in the library, named by the template, playable.
    folder = library / SERIES_FOLDER
    for name in EPISODE_FILES.values():
        assert (folder / name).is_file(), library_files(library)
        assert verify_media(folder / name) > 0, name
    assert [f for f in library_files(folder) if f.endswith(".mp4")] == sorted(
        EPISODE_FILES.values()
    )
    assert not [p for p in app.temp_dir.rglob("*") if p.is_file()]

    # The library and the series page know.
    navigation.get_by_role("link", name="Library").click()
    page.wait_for_url("**/library/")
    visit.live()
    page.locator("#unmatched").get_by_text("Looking for folders").wait_for(state="detached")
    card = page.locator(".cover-card", has_text="Attack on Titan")
    assert "2/5 episodes" in card.inner_text()  # seasons 1 and 2 and the film
    visit.check("library")
    card.get_by_role("link").click()
    page.wait_for_url(f"**/series/{SERIES}/")
    visit.live()
    for episode in (1, 2):
        assert "downloaded" in page.locator(f"#episode-1-{episode}").inner_text()
    visit.check("series-downloaded")

    # A settings change is saved.
    navigation.get_by_role("link", name="Settings").click()
    page.wait_for_url("**/settings/")
    visit.check("settings")
    scheduler = page.locator("#section-scheduler")
    scheduler.get_by_label("Rescan time").fill("04:30")
    scheduler.get_by_role("button", name="Save scheduler settings").click()
    page.locator(".toast").filter(has_text=re.compile("saved", re.I)).wait_for()
    page.reload()
    assert page.locator("#section-scheduler").get_by_label("Rescan time").input_value() == "04:30"
    config = json.loads((app.data_dir / "config.json").read_text())
    assert config["scheduler"]["schedule_time"] == "04:30"
    assert page.locator("#backup-list tbody tr").count() >= 1  # made before the change
    visit.check("settings-saved")

    navigation.get_by_role("link", name="System").click()
    page.wait_for_url("**/system/")
    visit.check("system")
    page.get_by_role("link", name="Logs").click()
    page.wait_for_url("**/system/logs")
    visit.check("logs")

    # Log out: the pages are closed again.
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/")
    visit.check("login")
    page.goto(app.url + "/queue/")
    page.wait_for_url("**/login/?next=/queue/")
    page.get_by_label("Master password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/queue/")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/")
    visit.check("logged-out", keyboard=False)
