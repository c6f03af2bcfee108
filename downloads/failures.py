"""How a failed download explains itself, and how the Queue page reads it back.

The worker's message is a headline, then one line per link it tried:
``VOE (German dub): the video is gone``. API clients and notifications get that text
as it is; the Queue page shows the headline, the hosters tried as a short list, and
each hoster's reason on demand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aniworld.languages import label_of

PASTED_LINK = "pasted link"
ATTEMPT_LINE = re.compile(r"^(?P<hoster>[^()\n]+?) \((?P<language>[^()\n]*)\): (?P<reason>.+)$")


def language_words(code: str) -> str:
    """ "german-dub" → "German dub", as every page says it."""
    return label_of(code)


def attempt_line(hoster: str, language: str, reason: str) -> str:
    """One tried link's line; a reason never spans lines, so each try stays one line."""
    return f"{hoster or PASTED_LINK} ({language_words(language)}): {' '.join(reason.split())}"


def failure_message(headline: str, lines: list[str]) -> str:
    return "\n".join([headline, *lines])


@dataclass
class Failure:
    headline: str
    hosters: list[str] = field(default_factory=list)  # tried, in order, each once
    reasons: list[dict[str, str]] = field(default_factory=list)  # hoster, language, reason
    other: list[str] = field(default_factory=list)  # further lines that name no hoster


def read_failure(error: str) -> Failure:
    """The parts of a worker's failure message (older one-line messages are a headline)."""
    headline, *lines = error.strip().splitlines() or [""]
    failure = Failure(headline)
    for line in lines:
        found = ATTEMPT_LINE.match(line.strip())
        if found is None:
            failure.other.append(line)
            continue
        failure.reasons.append(found.groupdict())
        if found["hoster"] not in failure.hosters:
            failure.hosters.append(found["hoster"])
    return failure
