"""The Queue page walks the owner past a check, in Chromium against `manage.py serve`.

s.to's `/r?t=` links answer an ALTCHA check; the episode's item fails with the links
to open; the owner starts typing the address of the video page they reached, the
queue refreshes meanwhile (another episode is queued), what they typed stays, they
send it, and the episode downloads from that page.
"""

from __future__ import annotations

import signal

import httpx
import pytest

from tests.fakes.world import connect
from tests.processes import ServeProcess
from tests.test_live_stream import QUICK_INDEX

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.embedded]

PASSWORD = "Challenge-Page-Test-4"


@pytest.fixture(scope="module")
def app(running_sto, running_hoster_world, tmp_path_factory):
    directory = tmp_path_factory.mktemp("challenge-page")
    library = directory / "library"
    library.mkdir()
    serve = ServeProcess(
        directory,
        env={"ANIME_DIRECTORY": str(library), "STO_SITE_URL": running_sto.url, **QUICK_INDEX},
    )
    for variable in ("REDIS_URL", "DATABASE_URL"):
        serve.env.pop(variable, None)
    serve.start()
    yield serve
    serve.stop(signal.SIGKILL)


@pytest.fixture(scope="module")
def api(app):
    assert httpx.post(f"{app.url}/api/auth/setup", json={"master_password": PASSWORD}).is_success
    token = httpx.post(f"{app.url}/api/auth/login", json={"password": PASSWORD}).json()[
        "access_token"
    ]
    with httpx.Client(
        base_url=app.url, headers={"Authorization": f"Bearer {token}"}, timeout=10
    ) as client:
        assert client.post("/api/anime/", json={"key": "dark", "site": "s.to"}).is_success
        app.wait_until(
            lambda: client.get("/api/anime/dark").json()["state"] == "ready", 30, "ready"
        )
        yield client


def item_of(api, item_id):
    status = api.get("/api/queue/status").json()
    everything = [status["active"], *status["pending"], *status["completed"], *status["failed"]]
    return next((item for item in everything if item and item["id"] == item_id), None)


def test_the_owner_pastes_the_video_page_and_the_episode_downloads(
    browser, app, api, sto_site, hosters
):
    # sto_site: the same fake s.to as the app's, reset after the test (its check too)
    connect(sto_site, hosters)
    sto_site.check_redirects("altcha")
    body = {"series_key": "dark", "episodes": [{"season": 1, "episode": 2}]}
    item_id = api.post("/api/queue/add", json=body).json()["added"][0]["id"]
    app.wait_until(lambda: item_of(api, item_id)["status"] == "failed", 30, "the item fails")
    assert item_of(api, item_id)["error_code"] == "CHALLENGE"

    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{app.url}/login/?next=/queue/")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{app.url}/queue/")
    page.wait_for_selector("html[data-live]")

    challenge = page.locator(f"[data-challenge='{item_id}']")
    assert "pass the check" in challenge.inner_text()
    links = challenge.locator("ol a")
    assert links.count() == 2
    assert "/r?t=tok" in links.first.get_attribute("href")

    field = page.locator(f"#link-url-{item_id}")
    field.fill(hosters.embed_url("Doodstream"))
    # The queue refreshes while the owner is on the page; what they typed must stay.
    other = {"series_key": "dark", "episodes": [{"season": 1, "episode": 1}]}
    other_id = api.post("/api/queue/add", json=other).json()["added"][0]["id"]
    app.wait_until(lambda: item_of(api, other_id)["status"] == "failed", 30, "the other fails")
    page.locator(f"[data-challenge='{other_id}']").wait_for(timeout=10_000)
    assert field.input_value() == hosters.embed_url("Doodstream")

    challenge.locator("button[type=submit]").click()

    app.wait_until(lambda: item_of(api, item_id)["status"] == "completed", 30, "downloaded")
    assert item_of(api, item_id)["hoster"] == "Doodstream"
    page.locator("[aria-labelledby=completed-title] li", has_text="S01E02").wait_for(timeout=10_000)
    assert errors == []
    context.close()
