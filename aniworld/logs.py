"""Logging: the console and a rotating file in the data dir, one format, one level.

Every line carries the request id of the request that caused it (``-`` outside
requests). The level comes from config (``LOG_LEVEL`` wins) and can be changed
while the app runs with ``set_level``.
"""

from __future__ import annotations

import contextvars
import logging
import logging.handlers
import os
import sys

from django.conf import settings

from aniworld import file_modes

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

LOG_FORMAT = "%(asctime)s %(levelname)-7s [%(process)d] %(name)s [%(request_id)s] %(message)s"
LOG_FILE_NAME = "aniworld.log"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Log files are 0600 (they name clients and what they did), also after a rotation."""

    def _open(self):
        stream = super()._open()
        os.chmod(self.baseFilename, file_modes.PRIVATE_FILE_MODE)
        return stream


def configure() -> None:
    root = logging.getLogger()
    if getattr(root, "_aniworld_configured", False):
        return
    formatter = logging.Formatter(LOG_FORMAT)
    request_ids = RequestIdFilter()
    console = logging.StreamHandler(sys.stderr)
    handlers: list[logging.Handler] = [console]
    try:
        settings.LOG_DIR.mkdir(mode=file_modes.PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        handlers.append(
            PrivateRotatingFileHandler(
                settings.LOG_DIR / LOG_FILE_NAME,
                maxBytes=5 * 1024 * 1024,
                backupCount=5,
                encoding="utf-8",
            )
        )
    except OSError as exc:
        print(f"warning: cannot write logs to {settings.LOG_DIR}: {exc}", file=sys.stderr)
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(request_ids)
        root.addHandler(handler)
    root._aniworld_configured = True
    set_level(settings.LOG_LEVEL)
    # Third-party chatter stays at WARNING unless we debug.
    for noisy in ("httpx", "httpcore", "daphne", "django.channels.server", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def set_level(level: str) -> None:
    logging.getLogger().setLevel(level.upper())
    logging.getLogger("aniworld").setLevel(level.upper())


def log_file_path():
    return settings.LOG_DIR / LOG_FILE_NAME
