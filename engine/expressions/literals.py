"""Fresh copies of JSON literals: an expression's `` `[]` `` or `` `{"a": 1}` `` gives a new
list or dict at every evaluation, so a caller changing one result (a mapped record's `tags`)
never changes another record's, or the expression itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def literal_maker(value: Any) -> Callable[[], Any] | None:
    """A function returning a new copy of the literal `value` at each call (equal to it, no
    container shared); None when `value` is immutable (a string, number, boolean or null)."""
    if type(value) is list:
        if not value:
            return list
        if any(type(item) in (list, dict) for item in value):
            return lambda: _copy(value)
        return value.copy
    if type(value) is dict:
        if not value:
            return dict
        if any(type(item) in (list, dict) for item in value.values()):
            return lambda: _copy(value)
        return value.copy
    return None


def _copy(value: Any) -> Any:
    """`value` copied at every depth (JSON data: lists, dicts and immutable scalars; the
    parser bounds a literal's depth)."""
    if type(value) is list:
        return [_copy(item) for item in value]
    if type(value) is dict:
        return {key: _copy(item) for key, item in value.items()}
    return value
