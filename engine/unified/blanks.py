"""The contract never holds the empty string: a provider's `""` is read as null."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def blank_to_null(value: Any) -> Any:
    """`value` with every empty string (at any depth of objects and arrays) replaced by null.

    Containers holding no empty string (at any depth) are returned as they are, so a clean
    record costs one walk and no copy; a container that changes is copied, never mutated.
    """
    if value == "":
        return None
    if isinstance(value, dict):
        return _clean(value, value.items(), dict)
    if isinstance(value, list):
        return _clean(value, enumerate(value), list)
    return value


def _clean(container: Any, items: Iterable[tuple[Any, Any]], copy: Callable[[Any], Any]) -> Any:
    """`container` itself, or a copy with the items that held blanks cleaned."""
    copied: Any = None
    for key, item in items:
        if item == "":
            cleaned = None
        elif isinstance(item, dict | list):
            cleaned = blank_to_null(item)
        else:
            continue
        if cleaned is not item:
            if copied is None:
                copied = copy(container)
            copied[key] = cleaned
    return container if copied is None else copied
