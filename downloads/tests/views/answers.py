"""A Queue page control's answer, read back: the queue partial (its error, its toast)
that an HTMX request gets, or the message that a form posted without JavaScript brings
back to /queue/. Also the two refusals every control shares."""

from __future__ import annotations

import json
from dataclasses import dataclass

from bs4 import BeautifulSoup
from django.test import Client

from downloads.models import DownloadItem, Status


@dataclass
class Answer:
    queue: BeautifulSoup  # the partial: <div id="queue">…
    error: str  # the error shown above the queue, "" when there is none
    toast: str  # the toast's text, "" when there is none


def press(client: Client, url: str, data: dict | None = None) -> Answer:
    """Press a control as htmx does; returns the queue partial it answers with."""
    response = client.post(url, data or {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    part = BeautifulSoup(response.content, "html.parser")
    assert part.find("html") is None, "an HTMX request gets the partial, not the page"
    # The queue and nothing beside it: htmx swaps the whole answer in for #queue.
    [queue_part] = [node for node in part.contents if str(node).strip()]
    assert queue_part.get("id") == "queue"
    found = part.find(role="alert")
    trigger = response.get("HX-Trigger")
    return Answer(
        queue=part,
        error=text(found) if found else "",
        toast=json.loads(trigger)["toast"]["message"] if trigger else "",
    )


def submit(client: Client, url: str, data: dict | None = None) -> tuple[str, str]:
    """Post a control's form without JavaScript; it redirects to the Queue page, which
    shows one message: returns its kind ("success", "error") and text."""
    response = client.post(url, data or {})
    assert response.status_code == 302
    assert response["Location"] == "/queue/"
    page = BeautifulSoup(client.get("/queue/").content, "html.parser")
    [toast] = page.select("#toasts .toast")
    kind = next(c.removeprefix("toast-") for c in toast["class"] if c != "toast")
    return kind, text(toast.find(class_="toast-message"))


def waiting_order() -> list[int]:
    """The episode numbers of the waiting items, in the order they download."""
    return list(
        DownloadItem.objects.filter(status=Status.PENDING)
        .order_by("priority", "position", "id")
        .values_list("episode__number", flat=True)
    )


def shown_order(answer: Answer) -> list[str]:
    """The ids of the waiting rows, in the order the queue shows them."""
    rows = answer.queue.find("section", attrs={"aria-labelledby": "pending-title"}).select("tr[id]")
    return [row["id"] for row in rows]


def text(element) -> str:
    return " ".join(element.get_text(" ").split())


def assert_needs_a_login(client: Client, url: str, data: dict | None = None) -> None:
    """Without a session the control sends to the login page."""
    response = client.post(url, data or {})
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


def assert_needs_the_csrf_token(csrf_client: Client, url: str, data: dict | None = None) -> None:
    """A post without the page's CSRF token is refused."""
    response = csrf_client.post(url, data or {})
    assert response.status_code == 403
    assert b"This form has expired" in response.content
