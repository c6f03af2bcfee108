"""Sending notifications through Apprise: one list of URLs reaches Discord, Telegram,
ntfy, Gotify, e-mail and the rest of what Apprise supports."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import apprise

from aniworld import config

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 15


@dataclass
class NotifyOutcome:
    sent: int = 0
    failures: list[str] = field(default_factory=list)
    retryable: list[str] = field(default_factory=list)  # URLs worth another try

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def message(self) -> str:
        if self.ok:
            return f"sent to {self.sent} target{'s' if self.sent != 1 else ''}"
        return f"sent to {self.sent}; failed: {'; '.join(self.failures)}"


def configured_urls() -> list[str]:
    return [url.strip() for url in config.current()["connect"]["notify_urls"] if url.strip()]


def wanted(event: str) -> bool:
    settings = config.current()["connect"]
    return bool(settings["notify_urls"]) and event in settings["notify_on"]


def send(title: str, body: str, urls: list[str], kind: str = "info") -> NotifyOutcome:
    """Send to each URL on its own, so a retry can go to the failed ones only; each
    failure is named by its URL (secrets hidden by Apprise) and Apprise's reason."""
    outcome = NotifyOutcome()
    for url in urls:
        target = apprise.Apprise()
        if not target.add(url):
            scheme = url.split("://", 1)[0]
            outcome.failures.append(f"{scheme}://…: not a URL Apprise understands")
            continue
        result = target.notify(
            body=body, title=title, notify_type=apprise.NotifyType(kind), timeout=TIMEOUT_SECONDS
        )
        for service in result:
            if service.status == apprise.AppriseResultStatus.SUCCESS:
                outcome.sent += 1
                continue
            reasons = [
                _reason(str(entry)) for attempt in service.attempts for entry in attempt.logs
            ] or [service.status.name.lower()]
            outcome.failures.append(f"{_short_url(service.url)}: {reasons[-1]}")
            outcome.retryable.append(url)
    return outcome


def _short_url(url: str) -> str:
    """Apprise's privacy URL without its long option list."""
    return url.split("?", 1)[0]


def _reason(line: str) -> str:
    """The message of an Apprise log line (``time - LEVEL - message``)."""
    return line.split(" - ", 2)[-1].strip()
