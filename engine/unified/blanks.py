"""The contract never holds the empty string: a provider's `""` is read as null."""

from __future__ import annotations

from typing import Any


def blank_to_null(value: Any) -> Any:
    """`value` with every empty string (at any depth of objects and arrays) replaced by null.

    Containers holding no empty string (at any depth) are returned as they are, so a clean
    record costs one walk and no copy; a container that changes is copied, never mutated.
    """
    kind = type(value)
    if kind is dict:
        return _clean_dict(value)
    if kind is list:
        return _clean_list(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return None if value == "" else value
    if isinstance(value, dict):
        return _clean_dict(value)
    if isinstance(value, list):
        return _clean_list(value)
    return None if value == "" else value


def _cleaned(item: Any) -> Any:
    """`item` cleaned, or `item` itself when it holds no blank (the common case, fast)."""
    kind = type(item)
    if kind is str:
        return item if item else None
    if kind is dict:
        return _clean_dict(item)
    if kind is list:
        return _clean_list(item)
    if kind is int or kind is float or kind is bool or item is None:
        return item
    return blank_to_null(item)


def _clean_dict(container: dict[Any, Any]) -> Any:
    copied: dict[Any, Any] | None = None
    for key, item in container.items():
        cleaned = _cleaned(item)
        if cleaned is not item:
            if copied is None:
                copied = dict(container)
            copied[key] = cleaned
    return container if copied is None else copied


def _clean_list(container: list[Any]) -> Any:
    copied: list[Any] | None = None
    for index, item in enumerate(container):
        cleaned = _cleaned(item)
        if cleaned is not item:
            if copied is None:
                copied = list(container)
            copied[index] = cleaned
    return container if copied is None else copied
