"""An imitation of FlareSolverr's ``/v1`` API (the *arr ecosystem's challenge proxy).

``POST /v1 {"cmd": "request.get", "url", "maxTimeout"}`` → the page as a browser saw it
after passing the check, plus the clearance: a ``cf_clearance`` cookie and the
User-Agent it is bound to. The "browser" here is httpx sending that clearance, so
a fake site switched to ``require_clearance(token, user_agent)`` lets it through.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlsplit

import httpx

from tests.fakes.server import FakeServer, Reply, Request

SOLVER_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/142.0.0.0 Safari/537.36"
)


class FakeFlareSolverr:
    def __init__(self, token: str = "cleared-by-flaresolverr", lifetime: float = 3600):
        self.token = token
        self.lifetime = lifetime
        self.user_agent = SOLVER_USER_AGENT
        self.failing = False
        self.asked: list[str] = []
        self.server = FakeServer()
        self.server.route("POST", "/v1", self._solve)

    @property
    def url(self) -> str:
        return f"{self.server.url}/v1"

    def __enter__(self) -> FakeFlareSolverr:
        self.server.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.stop()

    def _solve(self, request: Request) -> Reply:
        command = json.loads(request.body or b"{}")
        url = command.get("url", "")
        self.asked.append(url)
        if self.failing or command.get("cmd") != "request.get":
            answer = {"status": "error", "message": "Error solving the challenge. Timeout."}
            return Reply(500, json.dumps(answer), content_type="application/json")
        page = httpx.get(
            url,
            headers={"User-Agent": self.user_agent, "Cookie": f"cf_clearance={self.token}"},
        )
        cookie = {
            "name": "cf_clearance",
            "value": self.token,
            "domain": urlsplit(url).hostname,
            "path": "/",
            "expires": time.time() + self.lifetime,
            "httpOnly": True,
            "secure": False,
        }
        answer = {
            "status": "ok",
            "message": "Challenge solved!",
            "solution": {
                "url": str(page.url),
                "status": page.status_code,
                "response": page.text,
                "cookies": [cookie],
                "userAgent": self.user_agent,
                "headers": {},
            },
            "startTimestamp": int(time.time() * 1000),
            "endTimestamp": int(time.time() * 1000),
            "version": "3.4.6",
        }
        return Reply(200, json.dumps(answer), content_type="application/json")
