"""In the browser, a refused login says how long to wait (not "Something went wrong")."""

from __future__ import annotations

import os
import re

import pytest

from accounts.ratelimit import LOGIN_LIMIT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True, scope="module")
def _database_beside_playwrights_loop():
    """Playwright's sync API keeps an event loop running in this thread, so Django
    takes every database call of the test for one from async code; they are not."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def test_the_sixth_wrong_password_shows_the_wait_in_a_toast(
    browser, live_server, configured, in_one_window
):
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login/")
        for attempt in range(LOGIN_LIMIT.requests):
            page.fill("#password", f"Wrong-Passw0rd-{attempt}")
            page.click("button[type=submit]")
            page.wait_for_selector("#password-error")
            page.wait_for_function("() => !document.querySelector('.htmx-request')")
        page.fill("#password", "Wrong-Passw0rd-6")
        page.click("button[type=submit]")
        toast = page.wait_for_selector(".toast-error .toast-message")
        text = toast.text_content()
    finally:
        context.close()
    assert re.fullmatch(r"Too many requests; try again in \d+ seconds\.", text.strip())
