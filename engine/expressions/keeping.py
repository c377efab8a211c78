"""`omit` and `pick` over a provider's raw object, its kept values read with `""` as null in
the same pass: what generated code calls instead of cleaning the whole object first."""

from __future__ import annotations

from typing import Any

from engine.unified.blanks import blank_to_null

_NUMBERS = frozenset({int, float, bool})


def omit_cleaned(obj: dict[Any, Any], keys: list[Any] | frozenset[str]) -> dict[Any, Any]:
    """`omit(blank_to_null(obj), keys)` for an object and an array (or a set) of keys."""
    drop = keys if type(keys) is frozenset else set(keys)
    return {
        key: (item or None)
        if type(item) is str
        else item
        if item is None or type(item) in _NUMBERS
        else blank_to_null(item)
        for key, item in obj.items()
        if key not in drop
    }


def pick_cleaned(obj: dict[Any, Any], keys: list[Any] | tuple[str, ...]) -> dict[Any, Any]:
    """`pick(blank_to_null(obj), keys)` for an object and an array (or a tuple) of keys."""
    return {key: blank_to_null(obj[key]) for key in keys if key in obj}


KEEPING: dict[str, Any] = {"omit": omit_cleaned, "pick": pick_cleaned}
"""Functions whose result is their first argument's object with some keys left out, by name."""
