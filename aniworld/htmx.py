"""What the HTMX pages share besides HTML: the toast base.html shows, the status that
stops a poll, and which part of a page an HTMX request asks for."""

from __future__ import annotations

import json

from django.http import HttpResponse

# HTMX stops polling an element that answers 286.
STOP_POLLING = 286


def toast(response: HttpResponse, message: str, kind: str = "success") -> HttpResponse:
    response["HX-Trigger"] = json.dumps({"toast": {"message": message, "kind": kind}})
    return response


def page_or_partial(request, template: str, partial: str) -> str:
    """``template#partial`` when HTMX swaps the element whose id is ``partial`` (the
    template names that partial after its element), else the whole page ``template``."""
    if request.htmx and request.htmx.target == partial:
        return f"{template}#{partial}"
    return template
