"""The contract never holds the empty string: a provider's `""` is read as null."""

from __future__ import annotations

from typing import Any


def blank_to_null(value: Any) -> Any:
    """`value` with every empty string (at any depth of objects and arrays) replaced by null."""
    if value == "":
        return None
    if isinstance(value, dict):
        if not any(item == "" or isinstance(item, dict | list) for item in value.values()):
            return value
        return {key: blank_to_null(item) for key, item in value.items()}
    if isinstance(value, list):
        if not any(item == "" or isinstance(item, dict | list) for item in value):
            return value
        return [blank_to_null(item) for item in value]
    return value
