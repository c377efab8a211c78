"""Keeping link tokens out of the server's access log.

A link token travels in the page's path (`/link/lt_…`), so uvicorn's access log line would
hold a usable token for as long as it is valid. `LinkTokenLogFilter` rewrites such paths to
`/link/lt_…` in every record it sees; `install()` attaches it to uvicorn's access logger once.
"""

from __future__ import annotations

import logging
import re

from engine.accounts.link_tokens import LINK_TOKEN_PREFIX

__all__ = ["ACCESS_LOGGER", "LinkTokenLogFilter", "install"]

#: The logger uvicorn writes request lines to.
ACCESS_LOGGER = "uvicorn.access"

_TOKEN_PATH = re.compile(rf"/link/{LINK_TOKEN_PREFIX}[A-Za-z0-9_\-]+")
_MASKED = f"/link/{LINK_TOKEN_PREFIX}…"


def _masked(value: object) -> object:
    return _TOKEN_PATH.sub(_MASKED, value) if isinstance(value, str) else value


class LinkTokenLogFilter(logging.Filter):
    """Masks link tokens in a record's message and arguments (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; always keep it."""
        record.msg = _masked(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_masked(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _masked(value) for key, value in record.args.items()}
        return True


def install(logger_name: str = ACCESS_LOGGER) -> None:
    """Attach one `LinkTokenLogFilter` to the logger (a second call adds nothing)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(existing, LinkTokenLogFilter) for existing in logger.filters):
        logger.addFilter(LinkTokenLogFilter())
