"""A recursive "shape" comparer: same keys, nesting and JSON value types."""

from __future__ import annotations

from typing import Any

DEFAULT_FIELD_KEYS = ("name", "last_name", "company", "country", "city", "phone", "state", "z_i_p")


def kind(value: Any) -> str:
    """The JSON type name of a value (ints and floats are both `number`)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise TypeError(type(value))


def mismatches(
    expected: Any,
    actual: Any,
    path: str = "$",
    *,
    optional: frozenset[str] = frozenset(),
    allow_extra: bool = False,
) -> list[str]:
    """Every difference in shape between a recording and a simulator answer.

    * `null` on either side is compatible with any type (the fact sheet treats keys as nullable).
    * keys named in `optional` may be missing on either side.
    * `allow_extra`: the answer may have keys the recording lacks (docs examples are partial).
    * a `fields` object only has to carry the eight default keys (custom keys differ per account).
    * every array item of the answer is compared with the first item of the recorded array.
    """
    problems: list[str] = []
    if expected is None or actual is None:
        return problems
    if kind(expected) != kind(actual):
        return [f"{path}: expected {kind(expected)}, got {kind(actual)}"]
    if isinstance(expected, dict):
        if path.endswith(".fields"):
            missing = [k for k in DEFAULT_FIELD_KEYS if k in expected and k not in actual]
            return [f"{path}: missing default field keys {missing}"] if missing else []
        for key in expected:
            if key not in actual and key not in optional:
                problems.append(f"{path}: missing key {key!r}")
        if not allow_extra:
            for key in actual:
                if key not in expected and key not in optional:
                    problems.append(f"{path}: unexpected key {key!r}")
        for key in expected:
            if key in actual:
                problems += mismatches(
                    expected[key],
                    actual[key],
                    f"{path}.{key}",
                    optional=optional,
                    allow_extra=allow_extra,
                )
    elif isinstance(expected, list) and expected:
        for index, item in enumerate(actual):
            problems += mismatches(
                expected[0], item, f"{path}[{index}]", optional=optional, allow_extra=allow_extra
            )
    return problems
