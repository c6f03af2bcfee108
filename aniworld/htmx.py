"""What the HTMX pages answer besides HTML: the toast base.html shows."""

from __future__ import annotations

import json

from django.http import HttpResponse


def toast(response: HttpResponse, message: str, kind: str = "success") -> HttpResponse:
    response["HX-Trigger"] = json.dumps({"toast": {"message": message, "kind": kind}})
    return response
