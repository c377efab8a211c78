"""The contract never holds the empty string: a provider's `""` is read as null."""

from __future__ import annotations

from typing import Any


def blank_to_null(value: Any) -> Any:
    """`value` with every empty string (at any depth of objects and arrays) replaced by null.

    Containers holding no empty string (at any depth) are returned as they are, so a clean
    record costs one walk and no copy; a container that changes is copied, never mutated.
    """
    if value == "":
        return None
    if isinstance(value, dict):
        return _clean_dict(value)
    if isinstance(value, list):
        return _clean_list(value)
    return value


def _clean_dict(value: dict[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] | None = None
    cleaned: Any
    for key, item in value.items():
        if item == "":
            cleaned = None
        elif isinstance(item, dict):
            cleaned = _clean_dict(item)
        elif isinstance(item, list):
            cleaned = _clean_list(item)
        else:
            continue
        if cleaned is not item:
            if copied is None:
                copied = dict(value)
            copied[key] = cleaned
    return value if copied is None else copied


def _clean_list(value: list[Any]) -> list[Any]:
    copied: list[Any] | None = None
    cleaned: Any
    for index, item in enumerate(value):
        if item == "":
            cleaned = None
        elif isinstance(item, dict):
            cleaned = _clean_dict(item)
        elif isinstance(item, list):
            cleaned = _clean_list(item)
        else:
            continue
        if cleaned is not item:
            if copied is None:
                copied = list(value)
            copied[index] = cleaned
    return value if copied is None else copied
