"""Secrets generated once and kept in the data dir, so sessions and tokens survive restarts."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def load_or_create_secret(path: Path) -> str:
    """The secret stored at ``path``; a new random one (file mode 600) when missing."""
    path = Path(path)
    try:
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
    except FileNotFoundError:
        pass
    value = secrets.token_urlsafe(50)
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: when two processes start at once, exactly one writes the secret.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="utf-8").strip()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value
