"""Exit 0 when PostgreSQL and Redis answer at the given URLs.

Otherwise print why, and exit 3 ("skip") with a visible SKIPPED line on a
developer machine, or exit 1 ("fail") on CI (``CI=true``) or with
``ANIWORLD_REQUIRE_SERVICES=1``, where the PostgreSQL + Redis run must not be
skipped.
"""

import os
import socket
import sys
from urllib.parse import urlsplit


def reachable(url: str) -> str | None:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=3):
            return None
    except OSError as exc:
        return f"{parts.scheme} at {parts.hostname}:{parts.port} is not reachable ({exc})"


def main() -> int:
    problems = [p for p in (reachable(url) for url in sys.argv[1:]) if p]
    if not problems:
        return 0
    required = (
        os.environ.get("CI", "").lower() in ("1", "true", "yes")
        or os.environ.get("ANIWORLD_REQUIRE_SERVICES") == "1"
    )
    reason = "; ".join(problems)
    if required:
        print(f"FAILED: the PostgreSQL + Redis test run is required here, but {reason}")
        sys.exit(1)
    print(f"SKIPPED: the PostgreSQL + Redis test run, because {reason}")
    sys.exit(3)


if __name__ == "__main__":
    sys.exit(main())
