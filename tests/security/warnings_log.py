"""Capturing the engine's warnings on one logger, whatever other tests did to logging.

`caplog` sees a record only when it propagates to the root logger; a test elsewhere in the
same process may have disabled existing loggers (`logging.config.dictConfig`) or stopped
propagation. `warnings_on(name)` attaches a handler to the logger itself, enabled.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class _Collect(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.WARNING)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def warnings_on(name: str) -> Iterator[list[logging.LogRecord]]:
    """The WARNING-and-above records logged on `name` (or below it) inside the block."""
    records: list[logging.LogRecord] = []
    handler = _Collect(records)
    logger = logging.getLogger(name)
    saved = (logger.level, logger.disabled)
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.disabled = False
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.level, logger.disabled = saved
