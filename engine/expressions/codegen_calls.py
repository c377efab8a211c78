"""Generated function calls: how each call is written, with the closures' exact semantics.

* `map_value`: the lookup, on the map bound as a constant.
* The Unimap library: called directly, as the closures call it; a `TypeError` or
  `AttributeError` retries through JMESPath's checked call for its clear error.
* JMESPath's built-ins taking any type (`type`, `to_string`, ...): called directly, since the
  checked call would check nothing but the arity, already checked at load time.
* A few built-ins inlined for the arguments their checked call surely accepts (exact
  types), with the same result; any other argument goes through the checked call.
* Everything else: the checked call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.expressions.emitter import Emitter
from engine.expressions.functions import FUNCTIONS, LIBRARY_NAMES, PLAIN


def _not_null(values: list[str], _checked: str) -> str:
    expression = "None"
    for value in reversed(values):
        expression = f"{value} if {value} is not None else ({expression})"
    return expression


def _length(values: list[str], checked: str) -> str:
    (value,) = values
    return f"len({value}) if type({value}) in (str, list, dict) else {checked}"


def _join(values: list[str], checked: str) -> str:
    separator, items = values
    return (
        f"{separator}.join({items}) if type({separator}) is str and type({items}) is list "
        f"and all(type(_item) is str for _item in {items}) else {checked}"
    )


_INLINED: dict[str, Callable[[list[str], str], str]] = {
    "not_null": _not_null,
    "length": _length,
    "join": _join,
}


def _takes_anything(name: str, given: int) -> bool:
    """Whether JMESPath's checked call of `name` with `given` arguments checks no type."""
    signature = FUNCTIONS.FUNCTION_TABLE[name]["signature"]
    variadic = bool(signature) and bool(signature[-1].get("variadic"))
    arity_ok = given >= len(signature) if variadic else given == len(signature)
    return arity_ok and all(not spec["types"] for spec in signature)


def call(out: Emitter, name: str, values: list[str], value_map: Any = None) -> str:
    """Emit the call of function `name` on the (cleaned) argument names `values`; the name
    holding its result. `value_map` is the map of a `map_value` call."""
    result = out.temp()
    args = ", ".join(values)
    if name == "map_value":
        out.line(f"{result} = _lookup({out.const(value_map)}, {values[0]})")
        return result
    checked = f"_call({out.const(name)}, [{args}])"
    inlined = _INLINED.get(name)
    if inlined is not None:
        out.line(f"{result} = {inlined(values, checked)}")
    elif name in LIBRARY_NAMES:
        with out.block("try"):
            function = PLAIN.get(name) or getattr(FUNCTIONS, "_func_" + name)
            out.line(f"{result} = {out.const(function)}({args})")
        with out.block("except (TypeError, AttributeError)"):
            out.line(f"{result} = {checked}")
    elif _takes_anything(name, len(values)):
        out.line(f"{result} = {out.const(getattr(FUNCTIONS, '_func_' + name))}({args})")
    else:
        out.line(f"{result} = {checked}")
    return result
