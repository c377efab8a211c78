"""Conversion warnings: a value a library function could not convert becomes `null`, and the
reason is noted here for whoever maps the record (see `collect_warnings`).

Library functions are total: they never raise on odd provider data (a timestamp out of range,
a string that is not a date). They call `warn(...)`, which records the reason in the collector
active in the current context, if any, and otherwise does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_ACTIVE: ContextVar[list[str] | None] = ContextVar("unimap_conversion_warnings", default=None)


def warn(message: str) -> None:
    """Note that a value could not be converted (and became `null`)."""
    active = _ACTIVE.get()
    if active is not None:
        active.append(message)


def describe(value: object) -> str:
    """A safe description of a value for a warning: numbers and booleans as they are (bounded),
    strings and containers only by type and size (they may hold personal data)."""
    if isinstance(value, bool | int | float):
        text = repr(value) if not isinstance(value, int) or value.bit_length() < 200 else "…"
        return f"{type(value).__name__} {text}"
    if isinstance(value, str | list | dict):
        return f"{type(value).__name__} of length {len(value)}"
    return type(value).__name__


@contextmanager
def collect_warnings() -> Iterator[list[str]]:
    """Collect the warnings raised inside the block into the yielded list."""
    collected: list[str] = []
    token = _ACTIVE.set(collected)
    try:
        yield collected
    finally:
        _ACTIVE.reset(token)
