"""The "Test" buttons: try each media server or notification URL now and say how it went."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from aniworld.errors import Conflict, NotFound
from connect import media_servers, notify
from connect.media_servers import MediaServerError
from connect.models import TargetStatus
from connect.tasks import NOTIFY_TARGET, media_target

TEST_TITLE = "Aniworld test notification"
TEST_BODY = "If you read this, Aniworld can reach you here."


@dataclass
class TryResult:
    name: str
    ok: bool
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


def try_media_servers(name: str = "") -> list[TryResult]:
    servers = media_servers.configured_servers()
    if name:
        servers = [server for server in servers if server.name == name]
        if not servers:
            raise NotFound(f"No media server named {name!r}.", details={"name": name})
    if not servers:
        raise Conflict(
            "No media server is configured; add one in Settings → Media servers.",
            code="NOTHING_CONFIGURED",
        )
    results = []
    for server in servers:
        try:
            result = TryResult(server.name, True, media_servers.check(server))
        except MediaServerError as exc:
            result = TryResult(server.name, False, str(exc))
        TargetStatus.record(media_target(server.name), result.ok, f"test: {result.message}")
        results.append(result)
    return results


def try_notifications() -> list[TryResult]:
    urls = notify.configured_urls()
    if not urls:
        raise Conflict(
            "No notification URL is configured; add an Apprise URL in Settings → Notifications.",
            code="NOTHING_CONFIGURED",
        )
    results = []
    for index, url in enumerate(urls, start=1):
        outcome = notify.send(TEST_TITLE, TEST_BODY, [url])
        results.append(TryResult(f"URL {index}", outcome.ok, outcome.message))
    ok = all(result.ok for result in results)
    summary = "; ".join(f"{result.name}: {result.message}" for result in results)
    TargetStatus.record(NOTIFY_TARGET, ok, f"test: {summary}")
    return results
