"""Imitations of Jellyfin/Emby, Plex and an Apprise ``json://`` target, on 127.0.0.1.

Each records what it was told, checks the token the way the real server does,
and can be told to fail (``fail_next``) so tests show a broken server never
breaks a download and is tried once more later.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import quoteattr

from tests.fakes.server import FakeServer, Reply, Request

JELLYFIN_KEY = "jellyfin-api-key"
PLEX_TOKEN = "plex-token"


class _Failing(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.failures_left = 0

    def fail_next(self, count: int = 1) -> None:
        """Answer the next ``count`` requests with HTTP 500."""
        self.failures_left = count

    def _failing(self) -> bool:
        if self.failures_left > 0:
            self.failures_left -= 1
            return True
        return False

    def reset(self) -> None:
        self.requests.clear()
        self.failures_left = 0


class FakeJellyfin(_Failing):
    """``POST /Library/Media/Updated`` and ``GET /System/Info`` behind ``X-Emby-Token``."""

    def __init__(self, api_key: str = JELLYFIN_KEY) -> None:
        super().__init__()
        self.api_key = api_key
        self.updates: list[dict] = []
        self.route("POST", r"/Library/Media/Updated", self._media_updated)
        self.route("GET", r"/System/Info", self._system_info)

    def reset(self) -> None:
        super().reset()
        self.updates.clear()

    def _authorised(self, request: Request) -> bool:
        return request.headers.get("x-emby-token") == self.api_key

    def _media_updated(self, request: Request) -> Reply:
        if self._failing():
            return Reply(500, "Internal error")
        if not self._authorised(request):
            return Reply(401, "Unauthorized")
        body = json.loads(request.body)
        self.updates.extend(body["Updates"])
        return Reply(204, b"")

    def _system_info(self, request: Request) -> Reply:
        if self._failing():
            return Reply(500, "Internal error")
        if not self._authorised(request):
            return Reply(401, "Unauthorized")
        info = {"ServerName": "Fake Jellyfin", "Version": "10.10.7", "Id": "fake"}
        return Reply(200, json.dumps(info), content_type="application/json")


class FakePlex(_Failing):
    """``GET /library/sections`` (XML) and ``GET /library/sections/{key}/refresh?path=``."""

    def __init__(self, sections: dict[str, list[str]], token: str = PLEX_TOKEN) -> None:
        super().__init__()
        self.sections = sections
        self.token = token
        self.refreshes: list[tuple[str, str]] = []
        self.route("GET", r"/library/sections", self._sections)
        self.route("GET", r"/library/sections/(?P<key>\d+)/refresh", self._refresh)

    def reset(self) -> None:
        super().reset()
        self.refreshes.clear()

    def _authorised(self, request: Request) -> bool:
        return request.arg("X-Plex-Token") == self.token

    def _sections(self, request: Request) -> Reply:
        if self._failing():
            return Reply(500, "Internal error")
        if not self._authorised(request):
            return Reply(401, "<html><body>401 Unauthorized</body></html>")
        directories = "".join(
            f'<Directory allowSync="1" key="{key}" type="show" title="Section {key}">'
            + "".join(
                f"<Location id={quoteattr(str(index))} path={quoteattr(path)} />"
                for index, path in enumerate(paths)
            )
            + "</Directory>"
            for key, paths in self.sections.items()
        )
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<MediaContainer size="{len(self.sections)}" title1="Plex Library">{directories}'
            "</MediaContainer>"
        )
        return Reply(200, xml, content_type="text/xml;charset=utf-8")

    def _refresh(self, request: Request) -> Reply:
        if self._failing():
            return Reply(500, "Internal error")
        if not self._authorised(request):
            return Reply(401, "Unauthorized")
        if request.params["key"] not in self.sections:
            return Reply(404, "Not found")
        self.refreshes.append((request.params["key"], request.arg("path")))
        return Reply(200, b"")


class FakeAppriseTarget(_Failing):
    """Where Apprise's ``json://127.0.0.1:<port>/notify`` posts: records each message."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[dict] = []
        self.route("POST", r"/notify", self._notify)

    def reset(self) -> None:
        super().reset()
        self.messages.clear()

    @property
    def apprise_url(self) -> str:
        return "json://" + self.url.removeprefix("http://") + "/notify"

    def _notify(self, request: Request) -> Reply:
        if self._failing():
            return Reply(500, "Internal error")
        self.messages.append(json.loads(request.body))
        return Reply(200, "{}", content_type="application/json")
